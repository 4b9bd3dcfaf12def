#include "ca-adapter/src/domain/validation.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/domain/names.h"

namespace sslpanel::ca::domain {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// Printable ASCII only: keys and references end up in logs, SQL and URLs.
absl::Status CheckToken(absl::string_view field, absl::string_view value, size_t max_length,
                        bool required) {
  if (value.empty()) {
    return required ? Invalid(field, "required") : absl::OkStatus();
  }
  if (value.size() > max_length) {
    return Invalid(
        field, absl::StrCat("is ", value.size(), " characters long (at most ", max_length, ")"));
  }
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) {
      return Invalid(field, "must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCsrText(absl::string_view csr) {
  if (csr.empty()) {
    return Invalid("csr", "required");
  }
  if (csr.size() > kMaxCsrLength) {
    return Invalid("csr", absl::StrCat("at most ", kMaxCsrLength, " bytes (got ", csr.size(), ")"));
  }
  if (!absl::StrContains(csr, "-----BEGIN CERTIFICATE REQUEST-----") &&
      !absl::StrContains(csr, "-----BEGIN NEW CERTIFICATE REQUEST-----")) {
    return Invalid("csr",
                   "must be a PEM certificate signing request (-----BEGIN CERTIFICATE "
                   "REQUEST-----)");
  }
  return absl::OkStatus();
}

absl::Status CheckPeriod(int months) {
  if (months <= 0) {
    return Invalid("period_months", "required, greater than 0");
  }
  if (months > kMaxPeriodMonths) {
    return Invalid("period_months", absl::StrCat(months, " is more than ", kMaxPeriodMonths));
  }
  return absl::OkStatus();
}

// The names of an order: the common name and the additional names, each a
// valid host name, no more than the CA accepts.
absl::Status CheckNames(absl::string_view common_name,
                        const std::vector<std::string>& additional_names,
                        const Capabilities& capabilities) {
  if (std::string problem = HostNameProblem(common_name, capabilities.supports_wildcard);
      !problem.empty()) {
    return Invalid("common_name", absl::StrCat("\"", common_name, "\" ", problem));
  }
  for (size_t i = 0; i < additional_names.size(); ++i) {
    if (std::string problem = HostNameProblem(additional_names[i], capabilities.supports_wildcard);
        !problem.empty()) {
      return Invalid(absl::StrCat("additional_names[", i, "]"),
                     absl::StrCat("\"", additional_names[i], "\" ", problem));
    }
  }
  const size_t count = OrderNames(common_name, additional_names).size();
  if (static_cast<int>(count) > capabilities.max_names) {
    return Invalid(
        "additional_names",
        absl::StrCat(count, " names in total; this CA accepts at most ", capabilities.max_names));
  }
  return absl::OkStatus();
}

absl::Status CheckDomainValidations(const std::vector<DomainValidation>& validations,
                                    const std::vector<std::string>& names,
                                    const Capabilities& capabilities) {
  std::vector<std::string> seen;
  for (size_t i = 0; i < validations.size(); ++i) {
    const DomainValidation& dv = validations[i];
    const std::string field = absl::StrCat("domain_validations[", i, "]");
    const std::string host = absl::AsciiStrToLower(dv.host_name);
    if (std::find(names.begin(), names.end(), host) == names.end()) {
      return Invalid(absl::StrCat(field, ".host_name"),
                     absl::StrCat("\"", dv.host_name, "\" is not one of the order's names (",
                                  absl::StrJoin(names, ", "), ")"));
    }
    if (std::find(seen.begin(), seen.end(), host) != seen.end()) {
      return Invalid(absl::StrCat(field, ".host_name"),
                     absl::StrCat("\"", dv.host_name, "\" is listed twice"));
    }
    seen.push_back(host);
    if (dv.method == DcvMethod::kUnspecified) {
      return Invalid(absl::StrCat(field, ".method"), "required");
    }
    const auto& methods = capabilities.dcv_methods;
    if (std::find(methods.begin(), methods.end(), dv.method) == methods.end()) {
      std::vector<std::string> offered;
      for (DcvMethod m : methods) {
        offered.emplace_back(DcvMethodName(m));
      }
      return Invalid(absl::StrCat(field, ".method"),
                     absl::StrCat(DcvMethodName(dv.method), " is not offered by this CA (offers ",
                                  absl::StrJoin(offered, ", "), ")"));
    }
    if (dv.method == DcvMethod::kEmail) {
      const size_t at = dv.approver_email.find('@');
      if (at == std::string::npos || at == 0 || at + 1 == dv.approver_email.size()) {
        return Invalid(absl::StrCat(field, ".approver_email"),
                       "required for e-mail validation (e.g. admin@example.nl)");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckReplacementNames(absl::string_view common_name,
                                   const std::vector<std::string>& additional_names,
                                   const std::vector<DomainValidation>& validations,
                                   const Capabilities& capabilities) {
  if (common_name.empty()) {
    if (!additional_names.empty()) {
      return Invalid("common_name", "required when additional_names are given");
    }
    if (!validations.empty()) {
      return Invalid("common_name", "required when domain_validations are given");
    }
    return absl::OkStatus();  // the original order's names
  }
  if (absl::Status names = CheckNames(common_name, additional_names, capabilities); !names.ok()) {
    return names;
  }
  return CheckDomainValidations(validations, OrderNames(common_name, additional_names),
                                capabilities);
}

}  // namespace

absl::Status ValidateSubmit(const SubmitCommand& command, const Capabilities& capabilities) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCsrText(command.csr_pem); !s.ok()) {
    return s;
  }
  if (command.common_name.empty()) {
    return Invalid("common_name", "required");
  }
  if (absl::Status s = CheckNames(command.common_name, command.additional_names, capabilities);
      !s.ok()) {
    return s;
  }
  if (command.validation_type == ValidationType::kUnspecified) {
    return Invalid("validation_type", "required");
  }
  const auto& types = capabilities.validation_types;
  if (std::find(types.begin(), types.end(), command.validation_type) == types.end()) {
    return Invalid("validation_type", absl::StrCat(ValidationTypeName(command.validation_type),
                                                   " is not issued by this CA"));
  }
  if (absl::Status s = CheckPeriod(command.period_months); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckToken("product_code", command.product_code, 64, false); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDomainValidations(
          command.domain_validations, OrderNames(command.common_name, command.additional_names),
          capabilities);
      !s.ok()) {
    return s;
  }
  if (command.validation_type == ValidationType::kOv ||
      command.validation_type == ValidationType::kEv) {
    if (!command.organization.has_value()) {
      return Invalid("organization", "required for OV and EV orders");
    }
    if (command.organization->legal_name.empty()) {
      return Invalid("organization.legal_name", "required for OV and EV orders");
    }
    const std::string& country = command.organization->country_code;
    if (country.size() != 2 || !absl::ascii_isalpha(country[0]) ||
        !absl::ascii_isalpha(country[1])) {
      return Invalid("organization.country_code", "must be an ISO 3166-1 alpha-2 code, e.g. NL");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateReissue(const ReissueCommand& command, const Capabilities& capabilities) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckToken("ca_order_id", command.ca_order_id, kMaxCaOrderIdLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCsrText(command.csr_pem); !s.ok()) {
    return s;
  }
  return CheckReplacementNames(command.common_name, command.additional_names,
                               command.domain_validations, capabilities);
}

absl::Status ValidateRenew(const RenewCommand& command, const Capabilities& capabilities) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckToken("ca_order_id", command.ca_order_id, kMaxCaOrderIdLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCsrText(command.csr_pem); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPeriod(command.period_months); !s.ok()) {
    return s;
  }
  return CheckReplacementNames(command.common_name, command.additional_names,
                               command.domain_validations, capabilities);
}

absl::Status ValidateCancel(const CancelCommand& command) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (command.ca_order_id.empty() && command.submit_idempotency_key.empty()) {
    return Invalid("ca_order_id", "either ca_order_id or submit_idempotency_key is required");
  }
  if (absl::Status s = CheckToken("ca_order_id", command.ca_order_id, kMaxCaOrderIdLength, false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckToken("submit_idempotency_key", command.submit_idempotency_key,
                                  kMaxIdempotencyKeyLength, false);
      !s.ok()) {
    return s;
  }
  if (command.submit_idempotency_key == command.idempotency_key) {
    return Invalid("submit_idempotency_key", "must differ from this request's idempotency_key");
  }
  if (command.reason.size() > 1024) {
    return Invalid("reason", "at most 1024 characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateRevoke(const RevokeCommand& command) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  return CheckToken("ca_order_id", command.ca_order_id, kMaxCaOrderIdLength, true);
}

absl::Status ValidateCaOrderId(absl::string_view ca_order_id) {
  return CheckToken("ca_order_id", ca_order_id, kMaxCaOrderIdLength, true);
}

absl::Status ValidateListApproverEmails(absl::string_view host_name,
                                        const Capabilities& capabilities) {
  if (host_name.empty()) {
    return Invalid("host_name", "required");
  }
  if (std::string problem = HostNameProblem(host_name, capabilities.supports_wildcard);
      !problem.empty()) {
    return Invalid("host_name", absl::StrCat("\"", host_name, "\" ", problem));
  }
  return absl::OkStatus();
}

absl::Status ValidateChangeDcv(const ChangeDcvCommand& command, const Capabilities& capabilities) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckToken("ca_order_id", command.ca_order_id, kMaxCaOrderIdLength, true);
      !s.ok()) {
    return s;
  }
  if (command.domain_validations.empty()) {
    return Invalid("domain_validations", "at least one is required");
  }
  // Every entry names a valid host name; whether it is one of the order's
  // is the backend's check (it holds the order).
  std::vector<std::string> names;
  for (size_t i = 0; i < command.domain_validations.size(); ++i) {
    const std::string& host = command.domain_validations[i].host_name;
    if (std::string problem = HostNameProblem(host, capabilities.supports_wildcard);
        !problem.empty()) {
      return Invalid(absl::StrCat("domain_validations[", i, "].host_name"),
                     absl::StrCat("\"", host, "\" ", problem));
    }
    names.push_back(absl::AsciiStrToLower(host));
  }
  return CheckDomainValidations(command.domain_validations, names, capabilities);
}

absl::Status ValidateResendDcvEmail(const ResendDcvEmailCommand& command,
                                    const Capabilities& capabilities) {
  if (absl::Status s =
          CheckToken("idempotency_key", command.idempotency_key, kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckToken("ca_order_id", command.ca_order_id, kMaxCaOrderIdLength, true);
      !s.ok()) {
    return s;
  }
  if (!command.host_name.empty()) {
    if (std::string problem = HostNameProblem(command.host_name, capabilities.supports_wildcard);
        !problem.empty()) {
      return Invalid("host_name", absl::StrCat("\"", command.host_name, "\" ", problem));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateResolveSubmission(const ResolveSubmissionCommand& command) {
  if (absl::Status s = CheckToken("submit_idempotency_key", command.submit_idempotency_key,
                                  kMaxIdempotencyKeyLength, true);
      !s.ok()) {
    return s;
  }
  if (command.attach_ca_order_id.empty() == !command.resubmit) {
    return Invalid("resolution", "exactly one of attach_ca_order_id and resubmit is required");
  }
  if (absl::Status s =
          CheckToken("attach_ca_order_id", command.attach_ca_order_id, kMaxCaOrderIdLength, false);
      !s.ok()) {
    return s;
  }
  if (command.reason.empty() || command.reason.size() > 1024) {
    return Invalid("reason", "required, at most 1024 characters");
  }
  if (command.operator_identity.size() > 256) {
    return Invalid("operator", "at most 256 characters");
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::ca::domain
