// Checks 1-5 of DESIGN.md "Prevalidation": the organisation against the
// KvK (Chamber of Commerce) register. Pure functions of the order and the
// register's answer, so every rule is testable without a network.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/check.h"
#include "domain/name_match.h"
#include "domain/registry.h"
#include "domain/validation.h"

namespace sslpanel::prevalidation::domain {

// 1. The KvK number is 8 digits (validation already refused anything else).
CheckResult CheckKvkNumberFormat(const DutchOrganization& organization);

// 2. The register knows the number.
CheckResult CheckCompanyFound(const DutchOrganization& organization, const CompanyLookup& lookup);

// 3. The company is not deregistered. `today` is "YYYYMMDD".
CheckResult CheckCompanyActive(const Company& company, absl::string_view today);

// 4. The organisation name is the registered, statutory or a trade name.
CheckResult CheckNameMatch(const DutchOrganization& organization, const Company& company);

// 5. Postcode, house number (+ addition) and city are the registered
// visiting address; a shielded address needs a person (UNKNOWN).
CheckResult CheckAddressMatch(const DutchOrganization& organization, const Company& company);

// Every name the register holds for the company, statutory name first,
// without duplicates.
std::vector<RegisteredName> RegisteredNames(const Company& company);

}  // namespace sslpanel::prevalidation::domain
