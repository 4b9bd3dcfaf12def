#include "ca-adapter/src/sandbox/sandbox_policy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/domain/names.h"

namespace sslpanel::ca::sandbox {

using domain::DcvMethod;
using domain::OrderState;

absl::Status SandboxBehaviour::Validate() const {
  if (issue_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--issue_delay must not be negative");
  }
  if (cancel_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--cancel_delay must not be negative");
  }
  if (short_validity <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--short_validity must be positive");
  }
  const std::pair<const char*, const std::string*> labels[] = {
      {"--refuse_label", &refuse_label},
      {"--pending_label", &pending_label},
      {"--issue_on_cancel_label", &issue_on_cancel_label},
      {"--short_validity_label", &short_validity_label},
      {"--lost_answer_label", &lost_answer_label}};
  for (const auto& [flag, label] : labels) {
    if (!label->empty() &&
        !domain::HostNameProblem(absl::StrCat(*label, ".example"), false).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " \"", *label, "\" is not a valid host-name label"));
    }
  }
  return absl::OkStatus();
}

Script ScriptFor(const std::vector<std::string>& names, const SandboxBehaviour& behaviour) {
  Script script;
  for (const std::string& name : names) {
    if (domain::HasLabel(name, behaviour.refuse_label)) {
      script.outcome = ScriptedOutcome::kRefuse;
      script.refusal_reason =
          absl::StrCat("the sandbox CA refuses \"", name, "\": names with the label \"",
                       behaviour.refuse_label, "\" are refused (--refuse_label)");
      return script;
    }
  }
  for (const std::string& name : names) {
    if (domain::HasLabel(name, behaviour.pending_label)) {
      script.outcome = ScriptedOutcome::kPendingForever;
    } else if (script.outcome == ScriptedOutcome::kIssue &&
               domain::HasLabel(name, behaviour.issue_on_cancel_label)) {
      script.outcome = ScriptedOutcome::kIssueOnCancel;
    }
    if (domain::HasLabel(name, behaviour.short_validity_label)) {
      script.validity_override = behaviour.short_validity;
    }
  }
  return script;
}

Step NextStep(const SandboxOrder& order, absl::Time now) {
  switch (order.state) {
    case OrderState::kPending:
      // An accepted cancellation stops issuance, even if it is not confirmed
      // yet.
      if (order.cancel_requested_at.has_value()) {
        return order.cancel_effective_at.has_value() && now >= *order.cancel_effective_at
                   ? Step::kConfirmCancel
                   : Step::kNone;
      }
      if (now < order.decide_at) {
        return Step::kNone;
      }
      switch (order.outcome) {
        case ScriptedOutcome::kIssue:
          return Step::kIssue;
        case ScriptedOutcome::kRefuse:
          return Step::kRefuse;
        case ScriptedOutcome::kPendingForever:
        case ScriptedOutcome::kIssueOnCancel:  // issued by the cancellation itself
          return Step::kNone;
      }
      return Step::kNone;
    case OrderState::kIssued:
      return order.revoke_effective_at.has_value() && now >= *order.revoke_effective_at
                 ? Step::kConfirmRevoke
                 : Step::kNone;
    default:
      return Step::kNone;
  }
}

absl::Time AddMonths(absl::Time t, int months) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond start = absl::ToCivilSecond(t, utc);
  const absl::CivilMonth target = absl::CivilMonth(start) + months;
  const absl::CivilDay last_of_month = absl::CivilDay(target + 1) - 1;
  const int day = std::min(start.day(), last_of_month.day());
  const absl::CivilSecond end(target.year(), target.month(), day, start.hour(), start.minute(),
                              start.second());
  return absl::FromCivil(end, utc) + (t - absl::FromCivil(start, utc));  // keep sub-seconds
}

absl::Time NotAfter(const SandboxOrder& order, absl::Time not_before) {
  if (order.fixed_not_after.has_value()) {
    return *order.fixed_not_after;
  }
  if (order.validity_override.has_value()) {
    return not_before + *order.validity_override;
  }
  return AddMonths(not_before, order.period_months);
}

std::vector<domain::DcvInstruction> DcvInstructionsFor(
    const std::vector<std::string>& names, const std::vector<domain::DomainValidation>& validations,
    const std::string& token) {
  std::vector<domain::DcvInstruction> instructions;
  for (const std::string& name : names) {
    domain::DomainValidation choice{name, DcvMethod::kDns, ""};
    for (const domain::DomainValidation& dv : validations) {
      if (absl::AsciiStrToLower(dv.host_name) == name) {
        choice = dv;
      }
    }
    domain::DcvInstruction instruction;
    instruction.host_name = name;
    instruction.method = choice.method;
    instruction.status = "pending";
    const std::string base(domain::WithoutWildcard(name));
    switch (choice.method) {
      case DcvMethod::kEmail:
        instruction.approver_email = choice.approver_email;
        break;
      case DcvMethod::kHttp:
      case DcvMethod::kHttps:
        instruction.http_url =
            absl::StrCat(choice.method == DcvMethod::kHttps ? "https://" : "http://", base,
                         "/.well-known/pki-validation/", token, ".txt");
        instruction.http_content = absl::StrCat("sslpanel-sandbox-validation=", token);
        break;
      case DcvMethod::kDns:
      case DcvMethod::kUnspecified:
        instruction.method = DcvMethod::kDns;
        instruction.dns_record_name = absl::StrCat("_pki-validation.", base);
        instruction.dns_record_type = "TXT";
        instruction.dns_record_value = absl::StrCat("sslpanel-sandbox-validation=", token);
        break;
    }
    instructions.push_back(std::move(instruction));
  }
  return instructions;
}

std::string RawStatus(const SandboxOrder& order) {
  switch (order.state) {
    case OrderState::kPending:
      return order.cancel_requested_at.has_value() ? "cancellation-requested"
                                                   : "awaiting-validation";
    case OrderState::kIssued:
      return order.revoke_requested_at.has_value() ? "revocation-requested" : "issued";
    case OrderState::kRefused:
      return "refused";
    case OrderState::kCancelled:
      return "cancelled";
    case OrderState::kRevoked:
      return "revoked";
  }
  return "unknown";
}

}  // namespace sslpanel::ca::sandbox
