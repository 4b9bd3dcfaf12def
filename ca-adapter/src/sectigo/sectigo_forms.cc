#include "ca-adapter/src/sectigo/sectigo_forms.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace sslpanel::ca::sectigo {
namespace {

// Characters (UTF-8 code points), as the contract's limits count them.
size_t CharacterCount(absl::string_view text) {
  size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++count;
    }
  }
  return count;
}

absl::Status CheckLength(absl::string_view field, absl::string_view ca_field,
                         absl::string_view value, size_t limit) {
  const size_t count = CharacterCount(value);
  if (count <= limit) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("organization.", field, ": ", count,
                                                 " characters; Sectigo accepts at most ", limit,
                                                 " (", ca_field, ")"));
}

absl::string_view MethodValue(domain::DcvMethod method) {
  switch (method) {
    case domain::DcvMethod::kEmail:
      return "EMAIL";
    case domain::DcvMethod::kHttp:
      return "HTTP_CSR_HASH";
    case domain::DcvMethod::kHttps:
      return "HTTPS_CSR_HASH";
    default:
      return "CNAME_CSR_HASH";
  }
}

void AddDcv(Form& form, const std::vector<std::string>& names,
            const std::vector<domain::DomainValidation>& validations,
            domain::DcvMethod default_method) {
  if (names.empty()) {
    return;
  }
  const domain::DomainValidation choice = ChoiceFor(names.front(), validations, default_method);
  form.emplace_back("dcvMethod", std::string(MethodValue(choice.method)));
  if (choice.method == domain::DcvMethod::kEmail && !choice.approver_email.empty()) {
    form.emplace_back("dcvEmailAddress", choice.approver_email);
  }
}

constexpr const char* kOrganizationFields[] = {"organizationName", "organizationalUnitName",
                                               "postOfficeBox",    "streetAddress1",
                                               "streetAddress2",   "streetAddress3",
                                               "localityName",     "stateOrProvinceName",
                                               "postalCode",       "countryName"};

}  // namespace

int DaysForPeriod(int period_months) {
  if (period_months > 0 && period_months % 12 == 0) {
    return period_months / 12 * 365;
  }
  return period_months * 30;
}

int CodeReason(domain::RevocationReason reason) { return static_cast<int>(reason); }

domain::DomainValidation ChoiceFor(const std::string& name,
                                   const std::vector<domain::DomainValidation>& validations,
                                   domain::DcvMethod default_method) {
  for (const domain::DomainValidation& dv : validations) {
    if (absl::EqualsIgnoreCase(dv.host_name, name) &&
        dv.method != domain::DcvMethod::kUnspecified) {
      return dv;
    }
  }
  const bool file_method =
      default_method == domain::DcvMethod::kHttp || default_method == domain::DcvMethod::kHttps;
  if (file_method && absl::StartsWith(name, "*.")) {
    return {name, domain::DcvMethod::kDns, ""};  // the CA checks no file for a wildcard
  }
  return {name, default_method, ""};
}

absl::Status CheckDcvChoices(const std::vector<domain::DomainValidation>& validations) {
  for (size_t i = 0; i < validations.size(); ++i) {
    const domain::DomainValidation& dv = validations[i];
    const bool file_method =
        dv.method == domain::DcvMethod::kHttp || dv.method == domain::DcvMethod::kHttps;
    if (file_method && absl::StartsWith(dv.host_name, "*.")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "domain_validations[", i, "]: ", dv.host_name,
          " is a wildcard name, which Sectigo cannot validate by an HTTP(S) file; use DNS "
          "(CNAME) or e-mail"));
    }
  }
  return absl::OkStatus();
}

void SetField(Form& form, const std::string& name, const std::string& value) {
  for (auto& [key, current] : form) {
    if (key == name) {
      current = value;
      return;
    }
  }
  form.emplace_back(name, value);
}

Form ApplyForm(const ApplyInput& input) {
  Form form = {{"product", input.product_code},
               {"days", std::to_string(DaysForPeriod(input.period_months))},
               {"serverSoftware", "-1"},
               {"csr", input.csr_pem},
               {"isCustomerValidated", "N"},
               {"showCertificateID", "Y"},
               {"responseFormat", "1"},
               {"uniqueValue", input.unique_value},
               {"foreignOrderNumber", input.foreign_order_number},
               {"checkFONIsUnique", "Y"}};
  if (input.names.size() > 1) {
    form.emplace_back("primaryDomainName", input.names.front());
    form.emplace_back("domainNames", absl::StrJoin(input.names, ","));
  }
  AddDcv(form, input.names, input.domain_validations, input.default_method);
  if (input.organization.has_value()) {
    const domain::Organization& org = *input.organization;
    form.emplace_back("organizationName", org.legal_name);
    form.emplace_back("streetAddress1", org.street_address);
    form.emplace_back("localityName", org.city);
    form.emplace_back("postalCode", org.postcode);
    form.emplace_back("countryName", absl::AsciiStrToUpper(org.country_code));
  }
  if (input.test) {
    form.emplace_back("test", "Y");
  }
  return form;
}

absl::Status CheckOrganization(const domain::Organization& organization) {
  const struct {
    absl::string_view field;
    absl::string_view ca_field;
    const std::string& value;
    size_t limit;
  } fields[] = {{"legal_name", "organizationName", organization.legal_name, 64},
                {"street_address", "streetAddress1", organization.street_address, 128},
                {"city", "localityName", organization.city, 128},
                {"postcode", "postalCode", organization.postcode, 40}};
  for (const auto& f : fields) {
    if (absl::Status status = CheckLength(f.field, f.ca_field, f.value, f.limit); !status.ok()) {
      return status;
    }
  }
  const std::string& country = organization.country_code;
  if (country.size() != 2 || !absl::ascii_isalpha(static_cast<unsigned char>(country[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(country[1]))) {
    return absl::InvalidArgumentError(
        absl::StrCat("organization.country_code: \"", country,
                     "\" is not a two-letter ISO 3166-1 code (Sectigo's countryName)"));
  }
  return absl::OkStatus();
}

Form OrganizationFields(const Form& apply_form) {
  Form fields;
  for (const auto& [key, value] : apply_form) {
    for (const char* name : kOrganizationFields) {
      if (key == name) {
        fields.emplace_back(key, value);
      }
    }
    if (key == "test") {
      fields.emplace_back(key, value);
    }
  }
  return fields;
}

Form ReplaceForm(const ReplaceInput& input) {
  Form form = {{"orderNumber", input.order_number},
               {"csr", input.csr_pem},
               {"serverSoftware", "-1"},
               {"uniqueValue", input.unique_value},
               {"showCertificateID", "Y"}};
  if (input.names.size() > 1) {
    form.emplace_back("primaryDomainName", input.names.front());
    form.emplace_back("domainNames", absl::StrJoin(input.names, ","));
  }
  AddDcv(form, input.names, input.domain_validations, input.default_method);
  return form;
}

Form CollectForm(const std::string& order_number, const std::string& certificate_id) {
  Form form;
  if (!certificate_id.empty()) {
    form.emplace_back("certificateID", certificate_id);
  } else {
    form.emplace_back("orderNumber", order_number);
  }
  form.insert(form.end(), {{"queryType", "1"},
                           {"responseType", "3"},
                           {"responseEncoding", "0"},
                           {"showValidityPeriod", "Y"},
                           {"showExtStatus", "Y"},
                           {"responseFormat", "1"}});
  return form;
}

Form RevokeForm(const std::string& order_number, const std::string& certificate_id,
                const std::string& reason_text, int code_reason) {
  Form form;
  if (!certificate_id.empty()) {
    form.emplace_back("certificateID", certificate_id);
  } else {
    form.emplace_back("orderNumber", order_number);
  }
  form.emplace_back("revocationReason", reason_text.empty()
                                            ? std::string("requested by the reseller")
                                            : reason_text.substr(0, 1024));
  form.emplace_back("codeReason", std::to_string(code_reason));
  return form;
}

Form ReportForm(absl::Time from, absl::Time to, int first, int last,
                const std::string& common_name) {
  Form form = {{"notBefore", std::to_string(absl::ToUnixSeconds(from))},
               {"notAfter", std::to_string(absl::ToUnixSeconds(to))},
               {"firstResultNo", std::to_string(first)},
               {"lastResultNo", std::to_string(last)}};
  if (!common_name.empty()) {
    form.emplace_back("fqdn", common_name);
  }
  return form;
}

}  // namespace sslpanel::ca::sectigo
