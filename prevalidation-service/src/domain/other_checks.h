// Checks 6-9 of DESIGN.md "Prevalidation": the CSR subject against the
// organisation, the telephone number against a public source, and the .nl
// domain against the registry. Pure functions of the order and the answers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/check.h"
#include "domain/name_match.h"
#include "domain/registry.h"
#include "domain/request.h"
#include "domain/validation.h"

namespace sslpanel::prevalidation::domain {

// 6. The CSR's O, L and C name this organisation. `registered` holds the
// register's names for the company (empty when it was not found): O may be
// the order's legal name or one of those, not with another legal form (FAIL,
// as a wrong C is). L may be the order's city or `registered_city` (the
// register's visiting address, "" when unknown); another place name is a
// WARNING, as it is in the address check.
CheckResult CheckCsrSubject(const std::optional<CsrSubject>& csr,
                            const DutchOrganization& organization,
                            const std::vector<RegisteredName>& registered,
                            absl::string_view registered_city);

// 7. The telephone number is listed in a public source, ideally under the
// organisation's name. `lookup` is nullopt when the order has no number or
// no source is configured (`source_configured`). EV needs a verified number,
// so what is a remark for OV needs a person for EV.
CheckResult CheckPhoneListed(const std::optional<PhoneLookup>& lookup, bool source_configured,
                             const DutchOrganization& organization,
                             const std::vector<RegisteredName>& registered, ValidationType type);

// 8. A .nl domain of the order is registered (and not being deleted). Runs
// once per registered .nl domain among the common name and additional names.
CheckResult CheckDomainExists(const DomainRegistration& registration);

// 9. The registrant the registry publishes for that domain is this
// organisation (not one with another legal form); UNKNOWN when the registry
// does not publish it.
CheckResult CheckDomainRegistrant(const DomainRegistration& registration,
                                  const DutchOrganization& organization,
                                  const std::vector<RegisteredName>& registered);

// The .nl domains of an order beyond the per-order lookup limit, as one
// DOMAIN_EXISTS result that needs a person (UNKNOWN): never a silent pass.
CheckResult CheckDomainsNotLookedUp(const std::vector<std::string>& domains, size_t limit);

}  // namespace sslpanel::prevalidation::domain
