// The sandbox CA's DCV operations (approver addresses, a new method per
// name, the approval e-mail again) and its lost-answer submissions, which an
// operator settles with ResolveSubmission. Part of SandboxBackend.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/names.h"
#include "ca-adapter/src/sandbox/sandbox_backend.h"
#include "common/log/log.h"

namespace sslpanel::ca::sandbox {

using domain::DcvMethod;
using domain::OrderState;
using domain::OrderStatus;

namespace {

// The registered domain as the sandbox sees it: the last two labels
// ("www.example.nl" → "example.nl"). A real CA consults the public suffix
// list and WHOIS; the sandbox needs neither.
std::string RegisteredDomain(absl::string_view host) {
  const std::string name = absl::AsciiStrToLower(domain::WithoutWildcard(host));
  std::vector<std::string> labels = absl::StrSplit(name, '.');
  if (labels.size() <= 2) {
    return name;
  }
  return absl::StrCat(labels[labels.size() - 2], ".", labels.back());
}

std::vector<std::string> ApproversOf(absl::string_view host) {
  const std::string base = RegisteredDomain(host);
  std::vector<std::string> emails;
  for (const char* box : {"admin", "administrator", "hostmaster", "postmaster", "webmaster"}) {
    emails.push_back(absl::StrCat(box, "@", base));
  }
  return emails;
}

absl::Status NotPending(const SandboxOrder& order, absl::string_view action) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot ", action, ": order \"", order.ca_order_id, "\" is ",
                   domain::OrderStateName(order.state),
                   order.cancel_requested_at.has_value() ? " with a cancellation requested" : "",
                   "; only a pending order waits for validation"));
}

bool Pending(const SandboxOrder& order) {
  return order.state == OrderState::kPending && !order.cancel_requested_at.has_value();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SandboxBackend::ListApproverEmails(
    absl::string_view host_name, const app::CallOptions& options) {
  return ApproversOf(host_name);
}

absl::StatusOr<OrderStatus> SandboxBackend::ChangeDcvMethod(const domain::ChangeDcvCommand& command,
                                                            const app::CallOptions& options) {
  const std::string token = app::RandomHex(random_, 16);
  absl::StatusOr<SandboxOrder> order =
      Modify(command.ca_order_id, [&](SandboxOrder& order, absl::Time now) -> absl::Status {
        if (!Pending(order)) {
          return NotPending(order, "change the DCV method");
        }
        for (size_t i = 0; i < command.domain_validations.size(); ++i) {
          const domain::DomainValidation& dv = command.domain_validations[i];
          const std::string host = absl::AsciiStrToLower(dv.host_name);
          if (std::find(order.names.begin(), order.names.end(), host) == order.names.end()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "domain_validations[", i, "].host_name: \"", dv.host_name,
                "\" is not one of the order's names (", absl::StrJoin(order.names, ", "), ")"));
          }
          if (dv.method == DcvMethod::kEmail) {
            const std::vector<std::string> allowed = ApproversOf(host);
            if (std::find(allowed.begin(), allowed.end(),
                          absl::AsciiStrToLower(dv.approver_email)) == allowed.end()) {
              return absl::InvalidArgumentError(
                  absl::StrCat("domain_validations[", i, "].approver_email: \"", dv.approver_email,
                               "\" is not an approver address for ", host, " (",
                               absl::StrJoin(allowed, ", "), ")"));
            }
          }
        }
        // New instructions (a new token) for the names changed; the others
        // keep theirs.
        const std::vector<domain::DcvInstruction> fresh =
            DcvInstructionsFor(order.names, command.domain_validations, token);
        for (domain::DcvInstruction& instruction : order.dcv_instructions) {
          for (const domain::DomainValidation& dv : command.domain_validations) {
            if (absl::AsciiStrToLower(dv.host_name) != instruction.host_name) {
              continue;
            }
            for (const domain::DcvInstruction& next : fresh) {
              if (next.host_name == instruction.host_name) {
                instruction = next;
              }
            }
          }
        }
        return absl::OkStatus();
      });
  if (!order.ok()) {
    return order.status();
  }
  log::Info("sandbox CA DCV method changed",
            {{"ca_order_id", order->ca_order_id}, {"idempotency_key", command.idempotency_key}});
  return ToStatus(*order);
}

absl::StatusOr<OrderStatus> SandboxBackend::ResendDcvEmail(
    const domain::ResendDcvEmailCommand& command, const app::CallOptions& options) {
  absl::StatusOr<SandboxOrder> order =
      Modify(command.ca_order_id, [&](SandboxOrder& order, absl::Time now) -> absl::Status {
        if (!Pending(order)) {
          return NotPending(order, "send the DCV e-mail again");
        }
        const std::string host = absl::AsciiStrToLower(command.host_name);
        if (!host.empty() &&
            std::find(order.names.begin(), order.names.end(), host) == order.names.end()) {
          return absl::InvalidArgumentError(absl::StrCat("host_name: \"", command.host_name,
                                                         "\" is not one of the order's names (",
                                                         absl::StrJoin(order.names, ", "), ")"));
        }
        int sent = 0;
        for (domain::DcvInstruction& instruction : order.dcv_instructions) {
          if ((host.empty() || instruction.host_name == host) &&
              instruction.method == DcvMethod::kEmail) {
            // The sandbox sends no mail; the instruction records the resend.
            instruction.status =
                absl::StrCat("pending; approval e-mail sent again to ", instruction.approver_email,
                             " at ", absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone()));
            ++sent;
          }
        }
        if (sent == 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("cannot send the DCV e-mail again: ",
                           host.empty() ? "no name of the order" : absl::StrCat("\"", host, "\""),
                           " is validated by e-mail"));
        }
        return absl::OkStatus();
      });
  if (!order.ok()) {
    return order.status();
  }
  log::Info("sandbox CA DCV e-mail sent again",
            {{"ca_order_id", order->ca_order_id}, {"idempotency_key", command.idempotency_key}});
  return ToStatus(*order);
}

std::optional<absl::StatusOr<OrderStatus>> SandboxBackend::LostAnswer(
    const std::string& key, const std::vector<std::string>& names) {
  if (behaviour_.lost_answer_label.empty() ||
      std::none_of(names.begin(), names.end(), [&](const std::string& name) {
        return domain::HasLabel(name, behaviour_.lost_answer_label);
      })) {
    return std::nullopt;
  }
  std::string attached;
  {
    std::lock_guard<std::mutex> lock(lost_mu_);
    auto resolved = resolutions_.find(key);
    if (resolved == resolutions_.end()) {
      held_keys_.insert(key);
      return absl::StatusOr<OrderStatus>(domain::OutcomeUnknown(absl::StrCat(
          "the sandbox CA lost its answer to submission ", key, " (names with the label \"",
          behaviour_.lost_answer_label, "\"); ResolveSubmission settles it")));
    }
    attached = resolved->second;
  }
  if (attached.empty()) {
    return std::nullopt;  // resubmit: create it now
  }
  return GetStatus(attached, app::CallOptions{});
}

absl::StatusOr<OrderStatus> SandboxBackend::ResolveSubmission(
    const domain::ResolveSubmissionCommand& command, const app::CallOptions& options) {
  const std::string& key = command.submit_idempotency_key;
  if (!command.attach_ca_order_id.empty()) {
    // The attached order must exist; checked before the decision is kept.
    absl::StatusOr<OrderStatus> attached = GetStatus(command.attach_ca_order_id, options);
    if (!attached.ok()) {
      return attached.status();
    }
  }
  {
    std::lock_guard<std::mutex> lock(lost_mu_);
    auto resolved = resolutions_.find(key);
    if (resolved != resolutions_.end()) {
      if (resolved->second != command.attach_ca_order_id) {
        return absl::FailedPreconditionError(absl::StrCat(
            "submission ", key, " was already settled ",
            resolved->second.empty() ? "by a resubmission"
                                     : absl::StrCat("with order \"", resolved->second, "\"")));
      }
    } else if (held_keys_.count(key) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("submission ", key, " has no unknown outcome to resolve"));
    } else {
      resolutions_[key] = command.attach_ca_order_id;
    }
  }
  log::Info("sandbox CA submission resolved", {{"submit_idempotency_key", key},
                                               {"attach_ca_order_id", command.attach_ca_order_id},
                                               {"operator", command.operator_identity},
                                               {"reason", command.reason}});
  if (!command.attach_ca_order_id.empty()) {
    return GetStatus(command.attach_ca_order_id, options);
  }
  OrderStatus pending;
  pending.state = OrderState::kPending;
  pending.raw_status = "resubmission allowed; the submission's replay creates the order";
  return pending;
}

}  // namespace sslpanel::ca::sandbox
