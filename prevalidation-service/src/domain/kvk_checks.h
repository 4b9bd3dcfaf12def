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

// 2. The register knows the number: FAIL when it definitely does not,
// UNKNOWN when its answers do not settle it.
CheckResult CheckCompanyFound(const DutchOrganization& organization, const CompanyLookup& lookup);

// 3. The company is not deregistered: the profile's end date
// (materieleRegistratie.datumEinde) against `today` ("YYYYMMDD").
CheckResult CheckCompanyActive(const Company& company, absl::string_view today);

// 4. The organisation name is the registered, statutory or a trade name,
// and a legal form it states is the registered one (rechtsvorm).
CheckResult CheckNameMatch(const DutchOrganization& organization, const Company& company);

// 5. Postcode, house number and letter/addition are the registered
// visiting address (FAIL otherwise; UNKNOWN for an addition the register
// does not show); another city name is a WARNING; a shielded address needs
// a person (UNKNOWN).
CheckResult CheckAddressMatch(const DutchOrganization& organization, const Company& company);

// The city of the registered visiting address, or "" when the register
// shields it or has none.
std::string RegisteredVisitingCity(const Company& company);

// Every name the register holds for the company, statutory name first,
// without duplicates.
std::vector<RegisteredName> RegisteredNames(const Company& company);

}  // namespace sslpanel::prevalidation::domain
