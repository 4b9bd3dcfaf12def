// RDAP domain objects (RFC 9083) as SIDN serves them for .nl: whether the
// domain exists, its statuses and registration date, and the registrant's
// name from the entity's jCard (RFC 7095) where the registry publishes it.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/registry.h"

namespace sslpanel::prevalidation::clients {

// Parses a domain object answered for `domain`. The registrant is the entity
// with the "registrant" role, searched through nested entities; its jCard
// "org" wins over "fn" (an organisation's contact person is not the holder).
// Empty or redacted values ("REDACTED FOR PRIVACY", RFC 9537 "emptyValue")
// count as not published. INVALID_ARGUMENT when the body is not a domain.
absl::StatusOr<domain::DomainRegistration> ParseRdapDomain(absl::string_view body,
                                                           absl::string_view domain);

}  // namespace sslpanel::prevalidation::clients
