// Checks 6-9 of DESIGN.md "Prevalidation": the CSR subject against the
// organisation, the telephone number against a public source, and the .nl
// domain against the registry. Pure functions of the order and the answers.
#pragma once

#include <optional>
#include <vector>

#include "domain/check.h"
#include "domain/name_match.h"
#include "domain/registry.h"
#include "domain/request.h"
#include "domain/validation.h"

namespace sslpanel::prevalidation::domain {

// 6. The CSR's O, L and C name this organisation. `registered` holds the
// register's names for the company (empty when it was not found): O may be
// the order's legal name or one of those.
CheckResult CheckCsrSubject(const std::optional<CsrSubject>& csr,
                            const DutchOrganization& organization,
                            const std::vector<RegisteredName>& registered);

// 7. The telephone number is listed in a public source, ideally under the
// organisation's name. `lookup` is nullopt when the order has no number or
// no source is configured (`source_configured`). EV needs a verified number,
// so what is a remark for OV needs a person for EV.
CheckResult CheckPhoneListed(const std::optional<PhoneLookup>& lookup, bool source_configured,
                             const DutchOrganization& organization,
                             const std::vector<RegisteredName>& registered, ValidationType type);

// 8. The common name's .nl domain is registered (and not being deleted).
CheckResult CheckDomainExists(const DomainRegistration& registration);

// 9. The registrant the registry publishes is this organisation; UNKNOWN
// when the registry does not publish it.
CheckResult CheckDomainRegistrant(const DomainRegistration& registration,
                                  const DutchOrganization& organization,
                                  const std::vector<RegisteredName>& registered);

}  // namespace sslpanel::prevalidation::domain
