#include "workflow-service/src/domain/dcv.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::domain {
namespace {

constexpr size_t kMaxReference = 255;
constexpr size_t kMaxReason = 1000;

std::vector<std::string> NamesOf(const Certificate& c) {
  std::vector<std::string> names = {absl::AsciiStrToLower(c.common_name)};
  for (const std::string& name : c.additional_names) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (std::find(names.begin(), names.end(), lower) == names.end()) {
      names.push_back(lower);
    }
  }
  return names;
}

bool Has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A DCV operation needs the certificate waiting for validation at its CA.
absl::Status CheckWaitingAtCa(const Certificate& c) {
  if (c.status != CertificateStatus::kRequested || c.pending != PendingOperation::kNone) {
    return absl::FailedPreconditionError(
        "only a certificate REQUESTED at the CA, waiting for validation, has DCV to change");
  }
  if (c.ca_reference.empty()) {
    return absl::FailedPreconditionError("the CA has named no order for it yet");
  }
  return absl::OkStatus();
}

// The method a name is validated by now (DNS when the order named none).
DcvMethod MethodOf(const Certificate& c, const std::string& name) {
  for (const DomainValidation& dv : c.domain_validations) {
    if (absl::AsciiStrToLower(dv.host_name) == name) {
      return dv.method;
    }
  }
  return DcvMethod::kDns;
}

}  // namespace

std::string DescribeDcv(const std::vector<DomainValidation>& validations) {
  std::vector<std::string> parts;
  for (const DomainValidation& dv : validations) {
    parts.push_back(absl::StrCat(dv.host_name, ": ", ToString(dv.method),
                                 dv.approver_email.empty() ? "" : " ", dv.approver_email));
  }
  return absl::StrJoin(parts, "; ");
}

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::RequestDcvChange& cmd) {
  if (absl::Status s = CheckWaitingAtCa(c); !s.ok()) {
    return s;
  }
  if (cmd.domain_validations.empty()) {
    return absl::InvalidArgumentError("domain_validations: at least one is required");
  }
  const std::vector<std::string> names = NamesOf(c);
  std::vector<std::string> seen;
  std::vector<DomainValidation> changes;
  for (size_t i = 0; i < cmd.domain_validations.size(); ++i) {
    DomainValidation dv = cmd.domain_validations[i];
    dv.host_name = absl::AsciiStrToLower(dv.host_name);
    const std::string field = absl::StrCat("domain_validations[", i, "]");
    if (!Has(names, dv.host_name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".host_name: \"", cmd.domain_validations[i].host_name,
          "\" is not one of the certificate's names (", absl::StrJoin(names, ", "), ")"));
    }
    if (Has(seen, dv.host_name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".host_name: \"", dv.host_name, "\" is listed twice"));
    }
    seen.push_back(dv.host_name);
    if (dv.method == DcvMethod::kEmail) {
      if (dv.approver_email.find('@') == std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".approver_email: required for e-mail validation (ListApproverEmails)"));
      }
    } else {
      dv.approver_email.clear();
    }
    changes.push_back(std::move(dv));
  }
  for (const DomainValidation& change : changes) {
    auto it = std::find_if(c.domain_validations.begin(), c.domain_validations.end(),
                           [&](const DomainValidation& dv) {
                             return absl::AsciiStrToLower(dv.host_name) == change.host_name;
                           });
    if (it != c.domain_validations.end()) {
      *it = change;
    } else {
      c.domain_validations.push_back(change);
    }
  }
  DcvStep step;
  step.event = "DCV_CHANGE_REQUESTED";
  step.reason = DescribeDcv(changes);
  step.hold = c.hold;
  step.intent = IntentKind::kChangeDcvAtCa;
  step.detail.domain_validations = std::move(changes);
  return step;
}

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::RequestDcvEmailResend& cmd) {
  if (absl::Status s = CheckWaitingAtCa(c); !s.ok()) {
    return s;
  }
  const std::vector<std::string> names = NamesOf(c);
  const std::string host = absl::AsciiStrToLower(cmd.host_name);
  if (!host.empty() && !Has(names, host)) {
    return absl::InvalidArgumentError(absl::StrCat("host_name: \"", cmd.host_name,
                                                   "\" is not one of the certificate's names (",
                                                   absl::StrJoin(names, ", "), ")"));
  }
  if (!host.empty() && MethodOf(c, host) != DcvMethod::kEmail) {
    return absl::FailedPreconditionError(
        absl::StrCat(host, " is validated by ", ToString(MethodOf(c, host)), ", not by e-mail"));
  }
  if (host.empty() && std::none_of(names.begin(), names.end(), [&](const std::string& name) {
        return MethodOf(c, name) == DcvMethod::kEmail;
      })) {
    return absl::FailedPreconditionError("none of its names is validated by e-mail");
  }
  DcvStep step;
  step.event = "DCV_EMAIL_RESEND_REQUESTED";
  step.reason = host.empty() ? "every name validated by e-mail" : host;
  step.hold = c.hold;
  step.intent = IntentKind::kResendDcvEmailAtCa;
  step.detail.host_name = host;
  return step;
}

namespace {

absl::StatusOr<DcvStep> RecordInstructions(Certificate& c, absl::string_view event,
                                           const std::string& raw_status,
                                           const std::vector<DcvInstruction>& instructions) {
  if (c.status != CertificateStatus::kRequested) {
    return absl::FailedPreconditionError("the CA's DCV answer is for a REQUESTED certificate");
  }
  if (!raw_status.empty()) {
    c.ca_raw_status = raw_status;
  }
  c.dcv_instructions = instructions;
  c.last_error.clear();
  std::vector<std::string> parts;
  for (const DcvInstruction& i : instructions) {
    parts.push_back(absl::StrCat(
        i.host_name, ": ", ToString(i.method), i.approver_email.empty() ? "" : " ",
        i.approver_email, i.status.empty() ? "" : " (", i.status, i.status.empty() ? "" : ")"));
  }
  DcvStep step;
  step.event = std::string(event);
  step.reason = absl::StrJoin(parts, "; ");
  step.hold = c.hold;
  return step;
}

}  // namespace

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::DcvChanged& cmd) {
  return RecordInstructions(c, "DCV_CHANGED", cmd.raw_status, cmd.dcv_instructions);
}

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::DcvEmailResent& cmd) {
  return RecordInstructions(c, "DCV_EMAIL_RESENT", cmd.raw_status, cmd.dcv_instructions);
}

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::CaOperationFailed& cmd) {
  DcvStep step;
  const bool at_ca =
      c.status == CertificateStatus::kRequested || c.status == CertificateStatus::kActive;
  switch (cmd.operation) {
    case IntentKind::kChangeDcvAtCa:
    case IntentKind::kResendDcvEmailAtCa:
      // Sent while REQUESTED; the CA may have issued meanwhile.
      if (!at_ca) {
        return absl::FailedPreconditionError("the DCV operation was for a certificate at the CA");
      }
      step.event = cmd.operation == IntentKind::kChangeDcvAtCa ? "DCV_CHANGE_FAILED"
                                                               : "DCV_EMAIL_RESEND_FAILED";
      break;
    case IntentKind::kResolveAtCa:
      if (c.hold != HoldReason::kCaOutcomeUnknown) {
        return absl::FailedPreconditionError("no unknown outcome holds it any more");
      }
      step.event = "CA_RESOLUTION_FAILED";
      c.last_error = cmd.reason;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("operation: ", ToString(cmd.operation), " is not a DCV operation"));
  }
  step.reason = cmd.reason;
  step.hold = c.hold;
  return step;
}

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::RequestCaResolution& cmd,
                                 absl::string_view actor) {
  if (c.status != CertificateStatus::kOpen || c.hold != HoldReason::kCaOutcomeUnknown) {
    return absl::FailedPreconditionError(
        "only a submission held because its outcome at the CA is unknown "
        "(HOLD_REASON_CA_OUTCOME_UNKNOWN) can be resolved");
  }
  if (cmd.attach_ca_reference.empty() == !cmd.resubmit) {
    return absl::InvalidArgumentError(
        "resolution: exactly one of attach_ca_reference and resubmit is required");
  }
  if (cmd.attach_ca_reference.size() > kMaxReference) {
    return absl::InvalidArgumentError(
        absl::StrCat("attach_ca_reference: at most ", kMaxReference, " characters"));
  }
  for (char ch : cmd.attach_ca_reference) {
    if (ch < 0x21 || ch > 0x7e) {
      return absl::InvalidArgumentError(
          "attach_ca_reference: must be printable ASCII without spaces");
    }
  }
  if (cmd.reason.empty() || cmd.reason.size() > kMaxReason) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reason: required (1..", kMaxReason, " characters); it is kept in the order's history"));
  }
  DcvStep step;
  step.event = "CA_RESOLUTION_REQUESTED";
  step.reason = cmd.resubmit
                    ? absl::StrCat("resubmit: ", cmd.reason)
                    : absl::StrCat("attach CA order ", cmd.attach_ca_reference, ": ", cmd.reason);
  step.hold = c.hold;
  step.intent = IntentKind::kResolveAtCa;
  step.detail.attach_ca_reference = cmd.attach_ca_reference;
  step.detail.resubmit = cmd.resubmit;
  step.detail.reason = cmd.reason;
  step.detail.actor = std::string(actor);
  return step;
}

absl::StatusOr<DcvStep> ApplyDcv(Certificate& c, const command::CaHold& cmd) {
  if (cmd.hold != HoldReason::kCaOutcomeUnknown && cmd.hold != HoldReason::kCaAccount) {
    return absl::InvalidArgumentError(
        absl::StrCat("hold: ", ToString(cmd.hold), " is not a hold the CA signals"));
  }
  if (!SubmissionAtCa(c)) {
    return absl::FailedPreconditionError("no request is on its way to the CA");
  }
  if (cmd.submission != c.submission) {
    return absl::FailedPreconditionError(
        absl::StrCat("the answer is for submission ", cmd.submission,
                     ", the certificate is at submission ", c.submission));
  }
  c.last_error = cmd.reason;
  DcvStep step;
  step.hold = cmd.hold;
  if (c.hold != cmd.hold) {
    step.event =
        cmd.hold == HoldReason::kCaOutcomeUnknown ? "CA_OUTCOME_UNKNOWN" : "CA_ACCOUNT_PROBLEM";
    step.reason = cmd.reason;
  }
  return step;
}

}  // namespace sslpanel::workflow::domain
