// Input validation with the caller's field names: a request the checks
// cannot make sense of is INVALID_ARGUMENT naming the field (e.g.
// "organization.kvk_number: must be 8 digits"), never a FAIL in the report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/address.h"
#include "domain/host_name.h"
#include "domain/request.h"

namespace sslpanel::prevalidation::domain {

struct ValidatedNames {
  HostName common_name;
  std::vector<HostName> additional_names;
};

// What every order needs: a validation type, well-formed host names, and for
// OV/EV an organisation with a two-letter country code.
absl::StatusOr<ValidatedNames> ValidateRequest(const PrevalidationRequest& request);

// A Dutch organisation whose fields are in the form the checks compare.
struct DutchOrganization {
  std::string legal_name;
  std::string kvk_number;  // 8 digits
  std::string street;
  HouseNumber house_number;
  std::string postcode;  // "1234AB"
  std::string city;
  std::string country_code;          // "NL"
  std::optional<std::string> phone;  // E.164, when given
};

// What the Dutch checks need from the organisation: name, a well-formed KvK
// number, postcode, house number and city; the phone number is optional but
// must be a telephone number when given.
absl::StatusOr<DutchOrganization> ValidateDutchOrganization(const Organization& organization);

}  // namespace sslpanel::prevalidation::domain
