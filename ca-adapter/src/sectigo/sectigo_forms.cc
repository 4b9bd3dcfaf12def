#include "ca-adapter/src/sectigo/sectigo_forms.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace sslpanel::ca::sectigo {
namespace {

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
  return {name, default_method, ""};
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
    form.emplace_back("organizationName", org.legal_name.substr(0, 64));
    form.emplace_back("streetAddress1", org.street_address.substr(0, 128));
    form.emplace_back("localityName", org.city.substr(0, 128));
    form.emplace_back("postalCode", org.postcode.substr(0, 40));
    form.emplace_back("countryName", absl::AsciiStrToUpper(org.country_code));
  }
  if (input.test) {
    form.emplace_back("test", "Y");
  }
  return form;
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

Form ReportForm(absl::Time from, absl::Time to, int first, int last) {
  return {{"notBefore", std::to_string(absl::ToUnixSeconds(from))},
          {"notAfter", std::to_string(absl::ToUnixSeconds(to))},
          {"firstResultNo", std::to_string(first)},
          {"lastResultNo", std::to_string(last)}};
}

}  // namespace sslpanel::ca::sectigo
