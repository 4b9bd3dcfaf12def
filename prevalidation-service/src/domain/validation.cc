#include "domain/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/phone.h"

namespace sslpanel::prevalidation::domain {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string Trimmed(absl::string_view text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

}  // namespace

absl::StatusOr<ValidatedNames> ValidateRequest(const PrevalidationRequest& request) {
  if (request.validation_type == ValidationType::kUnspecified) {
    return Invalid("validation_type", "required: DV, OV or EV");
  }
  if (absl::StripAsciiWhitespace(request.common_name).empty()) {
    return Invalid("common_name", "required, e.g. \"www.example.nl\"");
  }
  ValidatedNames names;
  absl::StatusOr<HostName> common_name = ParseHostName(request.common_name, true);
  if (!common_name.ok()) {
    return Invalid("common_name",
                   absl::StrCat("\"", request.common_name, "\" ", common_name.status().message()));
  }
  names.common_name = *std::move(common_name);
  for (size_t i = 0; i < request.additional_names.size(); ++i) {
    absl::StatusOr<HostName> name = ParseHostName(request.additional_names[i], true);
    if (!name.ok()) {
      return Invalid(
          absl::StrCat("additional_names[", i, "]"),
          absl::StrCat("\"", request.additional_names[i], "\" ", name.status().message()));
    }
    names.additional_names.push_back(*std::move(name));
  }
  if (request.validation_type == ValidationType::kDv) {
    return names;
  }
  if (!request.organization.has_value()) {
    return Invalid("organization", "required for OV and EV certificates");
  }
  const std::string country = Trimmed(request.organization->country_code);
  if (country.empty()) {
    return Invalid("organization.country_code", "required for OV and EV certificates, e.g. \"NL\"");
  }
  if (country.size() != 2 || !absl::ascii_isalpha(static_cast<unsigned char>(country[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(country[1]))) {
    return Invalid("organization.country_code",
                   absl::StrCat("must be an ISO 3166-1 alpha-2 code, got \"", country, "\""));
  }
  return names;
}

absl::StatusOr<DutchOrganization> ValidateDutchOrganization(const Organization& organization) {
  DutchOrganization out;
  out.kvk_number = Trimmed(organization.kvk_number);
  if (out.kvk_number.empty()) {
    return Invalid("organization.kvk_number",
                   "required for OV/EV certificates of Dutch organisations (8 digits)");
  }
  bool digits = out.kvk_number.size() == 8;
  for (char c : out.kvk_number) {
    digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  if (!digits) {
    return Invalid("organization.kvk_number",
                   absl::StrCat("must be 8 digits, got \"", organization.kvk_number, "\""));
  }
  out.legal_name = Trimmed(organization.legal_name);
  if (out.legal_name.empty()) {
    return Invalid("organization.legal_name", "required for OV/EV certificates");
  }
  std::optional<std::string> postcode = NormalizePostcode(organization.postcode);
  if (!postcode.has_value()) {
    return Invalid("organization.postcode",
                   absl::StrCat("must be a Dutch postcode like \"1234 AB\", got \"",
                                organization.postcode, "\""));
  }
  out.postcode = *postcode;
  std::optional<HouseNumber> house_number =
      ParseHouseNumber(organization.house_number, organization.house_number_addition);
  if (!house_number.has_value()) {
    return Invalid("organization.house_number", absl::StrCat("must start with a number, got \"",
                                                             organization.house_number, "\""));
  }
  out.house_number = *house_number;
  out.city = Trimmed(organization.city);
  if (out.city.empty()) {
    return Invalid("organization.city", "required for OV/EV certificates");
  }
  out.street = Trimmed(organization.street);
  out.country_code = absl::AsciiStrToUpper(Trimmed(organization.country_code));
  if (!absl::StripAsciiWhitespace(organization.phone).empty()) {
    out.phone = NormalizePhone(organization.phone);
    if (!out.phone.has_value()) {
      return Invalid("organization.phone",
                     absl::StrCat("must be a telephone number like \"+31201234567\", got \"",
                                  organization.phone, "\""));
    }
  }
  return out;
}

}  // namespace sslpanel::prevalidation::domain
