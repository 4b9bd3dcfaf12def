#include "ca-adapter/src/sandbox/sandbox_backend.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::ca::sandbox {

using domain::OrderState;
using domain::OrderStatus;

namespace {

// Rounds of re-reading after a lost optimistic update before giving up
// with ABORTED (the caller retries).
constexpr int kMaxRaceRounds = 5;

absl::Status UnknownOrder(absl::string_view ca_order_id) {
  return absl::NotFoundError(
      absl::StrCat("ca_order_id: the sandbox CA has no order \"", ca_order_id, "\""));
}

// Whether two instruction lists say the same (a DCV change or a resent
// e-mail alters only these).
bool SameDcv(const std::vector<domain::DcvInstruction>& a,
             const std::vector<domain::DcvInstruction>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x.host_name != y.host_name || x.method != y.method ||
        x.dns_record_name != y.dns_record_name || x.dns_record_value != y.dns_record_value ||
        x.http_url != y.http_url || x.http_content != y.http_content ||
        x.approver_email != y.approver_email || x.status != y.status) {
      return false;
    }
  }
  return true;
}

std::string Describe(const SandboxOrder& order) {
  return absl::StrCat("order \"", order.ca_order_id, "\" is ", domain::OrderStateName(order.state));
}

// The wire view of an order just loaded or changed, or why there is none.
absl::StatusOr<OrderStatus> Answer(const absl::StatusOr<SandboxOrder>& order) {
  if (!order.ok()) {
    return order.status();
  }
  return ToStatus(*order);
}

}  // namespace

OrderStatus ToStatus(const SandboxOrder& order) {
  OrderStatus status;
  status.ca_order_id = order.ca_order_id;
  status.state = order.state;
  status.raw_status = order.raw_status;
  if (order.state == OrderState::kPending) {
    status.dcv_instructions = order.dcv_instructions;
  }
  if (order.state == OrderState::kIssued || order.state == OrderState::kRevoked) {
    status.certificate = order.certificate;
  }
  if (order.state == OrderState::kRefused) {
    status.refusal_reason = order.refusal_reason;
  }
  return status;
}

domain::Capabilities SandboxBackend::GetCapabilities() const {
  domain::Capabilities caps;
  caps.adapter = "sandbox";
  caps.ca_name = "SSL Panel Sandbox CA";
  caps.validation_types = {domain::ValidationType::kDv, domain::ValidationType::kOv,
                           domain::ValidationType::kEv};
  caps.dcv_methods = {domain::DcvMethod::kEmail, domain::DcvMethod::kDns, domain::DcvMethod::kHttp,
                      domain::DcvMethod::kHttps};
  caps.supports_cancel = true;
  caps.supports_revoke = true;
  caps.supports_reissue = true;
  caps.supports_renew = true;
  caps.supports_wildcard = true;
  caps.max_names = 100;
  caps.supports_change_dcv_method = true;
  caps.supports_resend_dcv_email = true;
  caps.supports_list_approver_emails = true;
  return caps;
}

absl::Status SandboxBackend::ApplyStep(SandboxOrder& order, absl::Time now) {
  switch (NextStep(order, now)) {
    case Step::kNone:
      return absl::OkStatus();
    case Step::kIssue: {
      // X.509 times have whole seconds.
      const absl::Time not_before = absl::FromTimeT(absl::ToTimeT(now));
      const absl::Time not_after = NotAfter(order, not_before);
      if (not_after <= not_before) {
        order.state = OrderState::kRefused;
        order.refusal_reason = "the certificate being replaced expired before the reissue";
        break;
      }
      LeafSpec spec;
      spec.csr_pem = order.csr_pem;
      spec.names = order.names;
      if (order.validation_type != domain::ValidationType::kDv) {
        spec.organization = order.organization;
      }
      spec.not_before = not_before;
      spec.not_after = not_after;
      absl::StatusOr<domain::IssuedCertificate> issued = ca_.Sign(spec);
      if (!issued.ok()) {
        if (issued.status().code() != absl::StatusCode::kInvalidArgument) {
          return issued.status();
        }
        order.state = OrderState::kRefused;
        order.refusal_reason = std::string(issued.status().message());
        break;
      }
      order.state = OrderState::kIssued;
      order.certificate = *std::move(issued);
      order.issued_at = now;
      break;
    }
    case Step::kRefuse:
      order.state = OrderState::kRefused;
      break;
    case Step::kConfirmCancel:
      order.state = OrderState::kCancelled;
      break;
    case Step::kConfirmRevoke:
      order.state = OrderState::kRevoked;
      break;
  }
  order.raw_status = RawStatus(order);
  return absl::OkStatus();
}

absl::StatusOr<SandboxOrder> SandboxBackend::LoadCurrent(absl::string_view ca_order_id) {
  for (int round = 0; round < kMaxRaceRounds; ++round) {
    absl::StatusOr<std::optional<SandboxOrder>> found = store_.FindById(ca_order_id);
    if (!found.ok()) {
      return found.status();
    }
    if (!found->has_value()) {
      return UnknownOrder(ca_order_id);
    }
    SandboxOrder order = **std::move(found);
    const absl::Time now = clock_.Now();
    bool changed = false;
    // At most two steps can be due at once (e.g. issued, then revoked).
    for (int step = 0; step < 3 && NextStep(order, now) != Step::kNone; ++step) {
      if (absl::Status applied = ApplyStep(order, now); !applied.ok()) {
        return applied;
      }
      changed = true;
    }
    if (!changed) {
      return order;
    }
    absl::StatusOr<bool> updated = store_.Update(order, now);
    if (!updated.ok()) {
      return updated.status();
    }
    if (*updated) {
      log::Info("sandbox CA order changed", {{"ca_order_id", order.ca_order_id},
                                             {"state", domain::OrderStateName(order.state)}});
      return order;
    }
  }
  return absl::AbortedError(absl::StrCat("order \"", ca_order_id, "\" is changing; retry"));
}

absl::StatusOr<SandboxOrder> SandboxBackend::Modify(
    absl::string_view ca_order_id,
    const std::function<absl::Status(SandboxOrder&, absl::Time now)>& change) {
  for (int round = 0; round < kMaxRaceRounds; ++round) {
    absl::StatusOr<SandboxOrder> order = LoadCurrent(ca_order_id);
    if (!order.ok()) {
      return order.status();
    }
    const int version = order->version;
    const absl::Time now = clock_.Now();
    SandboxOrder changed = *order;
    if (absl::Status s = change(changed, now); !s.ok()) {
      return s;
    }
    changed.raw_status = RawStatus(changed);
    if (changed.state == order->state && changed.raw_status == order->raw_status &&
        SameDcv(changed.dcv_instructions, order->dcv_instructions)) {
      return changed;  // nothing to store: a repeated request
    }
    changed.version = version;
    absl::StatusOr<bool> updated = store_.Update(changed, now);
    if (!updated.ok()) {
      return updated.status();
    }
    if (*updated) {
      log::Info("sandbox CA order changed",
                {{"ca_order_id", changed.ca_order_id}, {"raw_status", changed.raw_status}});
      return changed;
    }
  }
  return absl::AbortedError(absl::StrCat("order \"", ca_order_id, "\" is changing; retry"));
}

absl::StatusOr<OrderStatus> SandboxBackend::GetStatus(absl::string_view ca_order_id,
                                                      const app::CallOptions& options) {
  return Answer(LoadCurrent(ca_order_id));
}

absl::StatusOr<OrderStatus> SandboxBackend::Cancel(absl::string_view ca_order_id,
                                                   absl::string_view reason,
                                                   const app::CallOptions& options) {
  // The issue-on-cancel label: issuance wins the race, stored first, so the
  // cancellation below meets an issued order.
  absl::StatusOr<SandboxOrder> raced =
      Modify(ca_order_id, [&](SandboxOrder& order, absl::Time now) -> absl::Status {
        if (order.state != OrderState::kPending ||
            order.outcome != ScriptedOutcome::kIssueOnCancel) {
          return absl::OkStatus();
        }
        order.outcome = ScriptedOutcome::kIssue;
        order.decide_at = now;
        return ApplyStep(order, now);
      });
  if (!raced.ok()) {
    return raced.status();
  }
  absl::StatusOr<SandboxOrder> order =
      Modify(ca_order_id, [&](SandboxOrder& order, absl::Time now) -> absl::Status {
        switch (order.state) {
          case OrderState::kPending:
            if (!order.cancel_requested_at.has_value()) {
              order.cancel_requested_at = now;
              order.cancel_effective_at = now + behaviour_.cancel_delay;
              order.cancel_reason = std::string(reason);
              if (behaviour_.cancel_delay == absl::ZeroDuration()) {
                order.state = OrderState::kCancelled;
              }
            }
            return absl::OkStatus();
          case OrderState::kCancelled:
            return absl::OkStatus();
          case OrderState::kIssued:
            return absl::FailedPreconditionError(
                absl::StrCat(Describe(order), "; an issued certificate is revoked, not cancelled"));
          case OrderState::kRefused:
            return absl::FailedPreconditionError(
                absl::StrCat(Describe(order), " by the CA; there is nothing to cancel"));
          case OrderState::kRevoked:
            return absl::FailedPreconditionError(
                absl::StrCat(Describe(order), "; there is nothing to cancel"));
        }
        return absl::OkStatus();
      });
  return Answer(order);
}

absl::StatusOr<OrderStatus> SandboxBackend::Revoke(absl::string_view ca_order_id,
                                                   domain::RevocationReason reason,
                                                   const app::CallOptions& options) {
  absl::StatusOr<SandboxOrder> order =
      Modify(ca_order_id, [&](SandboxOrder& order, absl::Time now) -> absl::Status {
        switch (order.state) {
          case OrderState::kIssued:
            if (!order.revoke_requested_at.has_value()) {
              order.revoke_requested_at = now;
              order.revoke_effective_at = now + behaviour_.cancel_delay;
              order.revocation_reason = reason;
              if (behaviour_.cancel_delay == absl::ZeroDuration()) {
                order.state = OrderState::kRevoked;
              }
            }
            return absl::OkStatus();
          case OrderState::kRevoked:
            return absl::OkStatus();
          case OrderState::kPending:
            return absl::FailedPreconditionError(absl::StrCat(
                Describe(order), ", not issued; cancel the order instead of revoking"));
          case OrderState::kRefused:
          case OrderState::kCancelled:
            return absl::FailedPreconditionError(
                absl::StrCat(Describe(order), "; only an issued certificate can be revoked"));
        }
        return absl::OkStatus();
      });
  return Answer(order);
}

absl::StatusOr<SandboxOrder> SandboxBackend::IssuedOriginal(absl::string_view ca_order_id,
                                                            absl::string_view action) {
  absl::StatusOr<SandboxOrder> original = LoadCurrent(ca_order_id);
  if (!original.ok()) {
    return original.status();
  }
  if (original->state != OrderState::kIssued || !original->certificate.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(*original), "; only an issued certificate can be ", action));
  }
  return original;
}

}  // namespace sslpanel::ca::sandbox
