// What a prevalidation is asked about: the order's validation type, names,
// organisation and CSR subject, as plain structs (no protobuf).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sslpanel::prevalidation::domain {

enum class ValidationType { kUnspecified, kDv, kOv, kEv };

// The organisation as the customer entered it.
struct Organization {
  std::string legal_name;
  std::string kvk_number;
  std::string street;
  std::string house_number;
  std::string house_number_addition;
  std::string postcode;
  std::string city;
  std::string country_code;
  std::string phone;
};

// The subject fields of the CSR that name the organisation (UTF-8, as in
// the CSR; empty when absent).
struct CsrSubject {
  std::string organization;  // O
  std::string locality;      // L
  std::string country;       // C
  std::string common_name;   // CN
};

struct PrevalidationRequest {
  ValidationType validation_type = ValidationType::kUnspecified;
  std::string common_name;
  std::vector<std::string> additional_names;
  std::optional<Organization> organization;
  // nullopt when the order carries no CSR.
  std::optional<CsrSubject> csr;
};

}  // namespace sslpanel::prevalidation::domain
