#include "workflow-service/src/app/validation.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "workflow-service/src/domain/names.h"

namespace sslpanel::workflow::app {
namespace {

constexpr size_t kMaxText = 200;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

bool AllDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

absl::Status CheckText(absl::string_view field, const std::string& value, bool required) {
  if (required && absl::StripAsciiWhitespace(value).empty()) {
    return Invalid(field, "required");
  }
  if (value.size() > kMaxText) {
    return Invalid(field, absl::StrCat("at most ", kMaxText, " characters"));
  }
  for (unsigned char c : value) {
    if (c < 0x20) {
      return Invalid(field, "must not contain control characters");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequestId(const std::string& request_id) {
  if (request_id.empty()) {
    return Invalid("request_id", "required (an idempotency key chosen by the caller)");
  }
  if (request_id.size() > 128) {
    return Invalid("request_id", "at most 128 characters");
  }
  for (unsigned char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return Invalid("request_id", "printable ASCII without spaces only");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateActor(const std::string& actor) {
  if (actor.size() > 128) {
    return Invalid("actor", "at most 128 bytes");
  }
  for (unsigned char c : actor) {
    if (c < 0x20 || c == 0x7f) {
      return Invalid("actor", "must not contain control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateExternalOrderId(const std::string& id) {
  if (id.empty() || id.size() > 64) {
    return Invalid("external_order_id", "required, 1..64 characters");
  }
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return Invalid("external_order_id", "printable ASCII without spaces only");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Names> ValidateNames(const std::string& common_name,
                                    const std::vector<std::string>& additional_names,
                                    const Product& product) {
  Names names;
  names.common_name = domain::NormalizeHostName(common_name);
  if (absl::Status s =
          domain::ValidateHostName("common_name", names.common_name, product.wildcard_allowed);
      !s.ok()) {
    return s;
  }
  std::set<std::string> seen = {names.common_name};
  for (size_t i = 0; i < additional_names.size(); ++i) {
    const std::string name = domain::NormalizeHostName(additional_names[i]);
    if (absl::Status s = domain::ValidateHostName(absl::StrCat("additional_names[", i, "]"), name,
                                                  product.wildcard_allowed);
        !s.ok()) {
      return s;
    }
    if (seen.insert(name).second) {
      names.additional_names.push_back(name);
    }
  }
  if (static_cast<int>(names.additional_names.size()) > product.max_additional_names) {
    return Invalid(
        "additional_names",
        absl::StrCat("product ", product.id, " allows at most ", product.max_additional_names,
                     " additional names, got ", names.additional_names.size()));
  }
  return names;
}

bool IsApproverAddressFor(const std::string& email, const std::string& host_name) {
  const std::vector<std::string> parts = absl::StrSplit(absl::AsciiStrToLower(email), '@');
  if (parts.size() != 2) {
    return false;
  }
  static const std::set<std::string> kLocalParts = {"admin", "administrator", "hostmaster",
                                                    "postmaster", "webmaster"};
  if (kLocalParts.count(parts[0]) == 0) {
    return false;
  }
  absl::string_view host = host_name;
  absl::ConsumePrefix(&host, "*.");
  // The host itself or any parent with at least two labels.
  while (true) {
    if (host == parts[1]) {
      return true;
    }
    const size_t dot = host.find('.');
    if (dot == absl::string_view::npos) {
      return false;
    }
    host.remove_prefix(dot + 1);
    if (host.find('.') == absl::string_view::npos) {
      return false;
    }
  }
}

absl::StatusOr<std::vector<domain::DomainValidation>> ExpandDcv(
    const Names& names, std::optional<domain::DcvMethod> method, const std::string& approver_email,
    const std::vector<domain::DomainValidation>& per_name) {
  if (!method.has_value()) {
    return Invalid("dcv_method", "required (DCV_METHOD_EMAIL, DCV_METHOD_DNS or DCV_METHOD_HTTP)");
  }
  std::vector<std::string> all = {names.common_name};
  all.insert(all.end(), names.additional_names.begin(), names.additional_names.end());
  std::vector<domain::DomainValidation> expanded;
  for (const std::string& name : all) {
    expanded.push_back({name, *method, absl::AsciiStrToLower(approver_email)});
  }
  for (size_t i = 0; i < per_name.size(); ++i) {
    const std::string field = absl::StrCat("domain_validations[", i, "]");
    const std::string host = domain::NormalizeHostName(per_name[i].host_name);
    auto it = std::find_if(expanded.begin(), expanded.end(),
                           [&](const domain::DomainValidation& d) { return d.host_name == host; });
    if (it == expanded.end()) {
      return Invalid(field + ".host_name", absl::StrCat("\"", per_name[i].host_name,
                                                        "\" is not one of the order's names"));
    }
    it->method = per_name[i].method;
    it->approver_email = absl::AsciiStrToLower(per_name[i].approver_email);
  }
  for (size_t i = 0; i < expanded.size(); ++i) {
    const domain::DomainValidation& d = expanded[i];
    if (d.method == domain::DcvMethod::kEmail) {
      if (d.approver_email.empty()) {
        return Invalid("approver_email",
                       absl::StrCat("required for e-mail validation of ", d.host_name));
      }
      if (!IsApproverAddressFor(d.approver_email, d.host_name)) {
        return Invalid("approver_email",
                       absl::StrCat("\"", d.approver_email, "\" cannot approve ", d.host_name,
                                    "; use admin@, administrator@, hostmaster@, postmaster@ or "
                                    "webmaster@ of the domain"));
      }
    } else {
      expanded[i].approver_email.clear();
      if (d.host_name.front() == '*' && d.method == domain::DcvMethod::kHttp) {
        return Invalid("dcv_method",
                       absl::StrCat("HTTP validation cannot prove wildcard name ", d.host_name));
      }
    }
  }
  return expanded;
}

absl::StatusOr<domain::Organization> ValidateOrganization(const domain::Organization& input,
                                                          bool required) {
  domain::Organization org = input;
  org.country_code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(org.country_code));
  const bool empty = org == domain::Organization{};
  if (empty && !required) {
    return org;
  }
  if (empty) {
    return Invalid("organization", "required for OV and EV products");
  }
  if (absl::Status s = CheckText("organization.legal_name", org.legal_name, true); !s.ok()) {
    return s;
  }
  if (org.country_code.size() != 2 || !absl::ascii_isalpha(org.country_code[0]) ||
      !absl::ascii_isalpha(org.country_code[1])) {
    return Invalid("organization.country_code", "an ISO 3166-1 alpha-2 code such as \"NL\"");
  }
  for (const auto& [field, value, needed] :
       std::vector<std::tuple<const char*, std::string*, bool>>{
           {"organization.street", &org.street, required},
           {"organization.house_number", &org.house_number, false},
           {"organization.house_number_addition", &org.house_number_addition, false},
           {"organization.postcode", &org.postcode, false},
           {"organization.city", &org.city, required},
           {"organization.phone", &org.phone, required}}) {
    *value = std::string(absl::StripAsciiWhitespace(*value));
    if (absl::Status s = CheckText(field, *value, needed); !s.ok()) {
      return s;
    }
  }
  if (org.country_code == "NL") {
    if (!(org.kvk_number.size() == 8 && AllDigits(org.kvk_number))) {
      return Invalid("organization.kvk_number",
                     "a Dutch organisation needs its KvK number: 8 digits");
    }
    std::string postcode = absl::StrReplaceAll(org.postcode, {{" ", ""}});
    if (!(postcode.size() == 6 && AllDigits(postcode.substr(0, 4)) &&
          absl::ascii_isalpha(postcode[4]) && absl::ascii_isalpha(postcode[5]))) {
      return Invalid("organization.postcode", "a Dutch postcode such as \"1234 AB\"");
    }
    org.postcode =
        absl::StrCat(postcode.substr(0, 4), " ", absl::AsciiStrToUpper(postcode.substr(4)));
    if (!AllDigits(org.house_number) || org.house_number.size() > 5) {
      return Invalid("organization.house_number", "digits, e.g. \"12\"");
    }
  } else if (!org.kvk_number.empty() &&
             !(org.kvk_number.size() == 8 && AllDigits(org.kvk_number))) {
    return Invalid("organization.kvk_number", "8 digits");
  }
  if (!org.phone.empty()) {
    std::string digits;
    for (char c : org.phone) {
      if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        digits.push_back(c);
      } else if (c != ' ' && c != '-' && c != '(' && c != ')' && !(c == '+' && digits.empty())) {
        return Invalid("organization.phone", "international form, e.g. \"+31 20 123 4567\"");
      }
    }
    if (org.phone[0] != '+' || digits.size() < 8 || digits.size() > 15) {
      return Invalid("organization.phone", "international form, e.g. \"+31 20 123 4567\"");
    }
    org.phone = "+" + digits;
  }
  return org;
}

absl::Status ValidateCsrForNames(const CsrParser& parser, const std::string& csr,
                                 const Names& names) {
  if (csr.empty()) {
    return Invalid("csr", "required");
  }
  if (csr.size() > kMaxCsrBytes) {
    return Invalid("csr", absl::StrCat("at most ", kMaxCsrBytes, " bytes"));
  }
  auto decoded = parser.Parse(csr);
  if (!decoded.ok()) {
    return decoded.status();
  }
  if (!decoded->problems.empty()) {
    return Invalid("csr", absl::StrJoin(decoded->problems, "; "));
  }
  const std::string cn = domain::NormalizeHostName(decoded->common_name);
  if (cn.empty()) {
    return Invalid("csr", absl::StrCat("has no common name; expected \"", names.common_name, "\""));
  }
  if (cn != names.common_name) {
    return Invalid("csr",
                   absl::StrCat("common name \"", decoded->common_name,
                                "\" does not match common_name \"", names.common_name, "\""));
  }
  std::set<std::string> allowed = {names.common_name};
  allowed.insert(names.additional_names.begin(), names.additional_names.end());
  for (const std::string& san : decoded->dns_names) {
    if (allowed.count(domain::NormalizeHostName(san)) == 0) {
      return Invalid("csr", absl::StrCat("subjectAltName \"", san,
                                         "\" is not among the order's names (common_name and "
                                         "additional_names)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::workflow::app
