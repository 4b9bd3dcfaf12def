#include "ca-adapter/src/acme/acme_backend.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "ca-adapter/src/acme/acme_order_status.h"
#include "ca-adapter/src/app/retry_policy.h"
#include "ca-adapter/src/x509/certificate.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {

using domain::OrderState;
using domain::OrderStatus;

namespace {

absl::Status UnknownOrder(absl::string_view ca_order_id) {
  return absl::NotFoundError(
      absl::StrCat("ca_order_id: this adapter has no ACME order \"", ca_order_id, "\""));
}

}  // namespace

domain::Capabilities AcmeBackend::GetCapabilities() const {
  domain::Capabilities caps;
  caps.adapter = "acme";
  caps.ca_name = config_.ca_name;
  caps.validation_types = {domain::ValidationType::kDv};
  caps.dcv_methods = {domain::DcvMethod::kDns, domain::DcvMethod::kHttp};
  caps.supports_cancel = true;
  caps.supports_revoke = true;
  caps.supports_reissue = true;
  caps.supports_renew = true;
  caps.supports_wildcard = true;
  caps.max_names = 100;
  caps.supports_change_dcv_method = true;
  return caps;
}

absl::StatusOr<AcmeOrderRecord> AcmeBackend::Load(absl::string_view ca_order_id) {
  absl::StatusOr<std::optional<AcmeOrderRecord>> found = store_.FindOrder(ca_order_id);
  if (!found.ok()) {
    return found.status();
  }
  if (!found->has_value()) {
    return UnknownOrder(ca_order_id);
  }
  return **std::move(found);
}

absl::StatusOr<OrderStatus> AcmeBackend::WithAccount(const app::CallOptions& options,
                                                     const Step& step) {
  absl::StatusOr<Account> account = accounts_.Get(options.deadline);
  if (!account.ok()) {
    return account.status();
  }
  absl::StatusOr<OrderStatus> result = step(*account);
  if (result.ok() || ProblemType(result.status()) != "accountDoesNotExist") {
    return result;
  }
  log::Warning("the ACME CA does not know the account any more; registering its key again",
               {{"account", account->url}, {"error", result.status()}});
  if (absl::Status forgotten = accounts_.Forget(account->url); !forgotten.ok()) {
    return forgotten;
  }
  absl::StatusOr<Account> again = accounts_.Get(options.deadline);
  if (!again.ok()) {
    return again.status();
  }
  result = step(*again);
  if (!result.ok() && ProblemType(result.status()) == "accountDoesNotExist") {
    // ProblemToStatus made it UNAVAILABLE already: never a final answer.
    log::Warning("the ACME CA does not know the account it just registered",
                 {{"account", again->url}, {"error", result.status()}});
  }
  return result;
}
absl::StatusOr<OrderStatus> AcmeBackend::GetStatus(absl::string_view ca_order_id,
                                                   const app::CallOptions& options) {
  absl::StatusOr<AcmeOrderRecord> record = Load(ca_order_id);
  if (!record.ok()) {
    return record.status();
  }
  if (std::optional<OrderStatus> settled = SettledStatus(*record); settled.has_value()) {
    return *settled;  // the CA is done with it: no need to ask again
  }
  return WithAccount(options, [&](const Account& account) {
    return driver_.Advance(*record, account, options.deadline, Drive::kToCompletion);
  });
}

absl::StatusOr<OrderStatus> AcmeBackend::ChangeDcvMethod(const domain::ChangeDcvCommand& command,
                                                         const app::CallOptions& options) {
  absl::StatusOr<AcmeOrderRecord> record = Load(command.ca_order_id);
  if (!record.ok()) {
    return record.status();
  }
  if (SettledStatus(*record).has_value() || record->cancelled_at.has_value() ||
      record->finalized_at.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot change the DCV method: order \"", command.ca_order_id, "\" is ",
                     record->cancelled_at.has_value() ? "cancelled" : record->acme_status,
                     "; only a pending order waits for validation"));
  }
  if (record->challenges_answered_at.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot change the DCV method: the challenges of order \"",
                     command.ca_order_id, "\" were answered already; the CA is validating"));
  }
  for (size_t i = 0; i < command.domain_validations.size(); ++i) {
    const std::string host = absl::AsciiStrToLower(command.domain_validations[i].host_name);
    if (std::find(record->names.begin(), record->names.end(), host) == record->names.end()) {
      return absl::InvalidArgumentError(absl::StrCat("domain_validations[", i, "].host_name: \"",
                                                     host, "\" is not one of the order's names"));
    }
  }
  auto merge = [&](AcmeOrderRecord& order) {
    for (const domain::DomainValidation& change : command.domain_validations) {
      domain::DomainValidation next = change;
      next.host_name = absl::AsciiStrToLower(change.host_name);
      auto it = std::find_if(order.domain_validations.begin(), order.domain_validations.end(),
                             [&](const domain::DomainValidation& dv) {
                               return absl::AsciiStrToLower(dv.host_name) == next.host_name;
                             });
      if (it != order.domain_validations.end()) {
        *it = next;
      } else {
        order.domain_validations.push_back(next);
      }
    }
  };
  if (absl::Status applied = store_.Apply(*record, merge, clock_.Now()); !applied.ok()) {
    return applied;
  }
  return GetStatus(command.ca_order_id, options);
}

absl::StatusOr<OrderStatus> AcmeBackend::Cancel(absl::string_view ca_order_id,
                                                absl::string_view reason,
                                                const app::CallOptions& options) {
  absl::StatusOr<AcmeOrderRecord> record = Load(ca_order_id);
  if (!record.ok()) {
    return record.status();
  }
  if (std::optional<OrderStatus> settled = SettledStatus(*record); settled.has_value()) {
    if (settled->state == OrderState::kCancelled) {
      return *settled;
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "order \"", ca_order_id, "\" is ", domain::OrderStateName(settled->state),
        settled->state == OrderState::kIssued ? "; revoke the certificate instead" : ""));
  }
  return WithAccount(options, [&](const Account& account) -> absl::StatusOr<OrderStatus> {
    absl::StatusOr<Order> order = client_.GetOrder(account, record->order_url, options.deadline);
    if (!order.ok()) {
      return order.status();
    }
    if (order->status == "valid" || order->status == "processing" ||
        (IsDeadOrder(order->status) && !record->cancelled_at.has_value())) {
      // Let the regular path record what the CA did, then refuse.
      absl::StatusOr<OrderStatus> current =
          driver_.Advance(*record, account, options.deadline, Drive::kAnswerChallenges);
      const std::string state =
          current.ok() ? std::string(domain::OrderStateName(current->state)) : order->status;
      return absl::FailedPreconditionError(absl::StrCat(
          "order \"", ca_order_id, "\" is ", order->status == "processing" ? "being issued" : state,
          "; only a pending order can be cancelled",
          IsDeadOrder(order->status) ? "" : " (revoke the certificate once issued)"));
    }
    // Recorded before the CA is told, so no poll finalizes the order meanwhile.
    const absl::Time now = clock_.Now();
    if (absl::Status saved = store_.Apply(
            *record,
            [&](AcmeOrderRecord& r) {
              if (!r.cancelled_at.has_value()) {
                r.cancelled_at = now;
                r.cancel_reason = std::string(reason);
              }
            },
            now);
        !saved.ok()) {
      return saved;
    }
    // RFC 8555 section 7.5.2: a deactivated authorization makes its orders
    // invalid, and the CA will not issue them.
    for (const std::string& url : order->authorizations) {
      absl::StatusOr<Authorization> deactivated =
          client_.DeactivateAuthorization(account, url, options.deadline);
      if (!deactivated.ok() && app::IsRetryable(deactivated.status())) {
        return deactivated.status();
      }
      if (!deactivated.ok()) {
        // Already deactivated, invalid or expired: it no longer counts.
        log::Info("ACME authorization not deactivated",
                  {{"authorization", url}, {"status", deactivated.status()}});
      }
    }
    absl::StatusOr<OrderStatus> after =
        driver_.Advance(*record, account, options.deadline, Drive::kAnswerChallenges);
    if (!after.ok()) {
      return after.status();
    }
    log::Info("ACME order cancelled", {{"ca_order_id", record->order_url},
                                       {"state", domain::OrderStateName(after->state)}});
    after->dcv_instructions.clear();
    return after;
  });
}

absl::StatusOr<OrderStatus> AcmeBackend::Revoke(absl::string_view ca_order_id,
                                                domain::RevocationReason reason,
                                                const app::CallOptions& options) {
  absl::StatusOr<AcmeOrderRecord> record = Load(ca_order_id);
  if (!record.ok()) {
    return record.status();
  }
  return WithAccount(options, [&](const Account& account) -> absl::StatusOr<OrderStatus> {
    if (!record->certificate.has_value()) {
      // Perhaps issued since the last poll.
      absl::StatusOr<OrderStatus> current =
          driver_.Advance(*record, account, options.deadline, Drive::kToCompletion);
      if (!current.ok()) {
        return current.status();
      }
      if (current->state != OrderState::kIssued && current->state != OrderState::kRevoked) {
        return absl::FailedPreconditionError(
            absl::StrCat("order \"", ca_order_id, "\" is ", domain::OrderStateName(current->state),
                         current->state == OrderState::kPending
                             ? ", not issued; cancel the order instead"
                             : "; only an issued certificate can be revoked"));
      }
    }
    if (record->revoked_at.has_value()) {
      return *SettledStatus(*record);
    }
    absl::StatusOr<std::string> der = x509::CertificateDer(record->certificate->certificate_pem);
    if (!der.ok()) {
      return absl::InternalError(absl::StrCat("stored certificate: ", der.status().message()));
    }
    absl::Status revoked =
        client_.RevokeCertificate(account, *der, static_cast<int>(reason), options.deadline);
    if (!revoked.ok() && ProblemType(revoked) != "alreadyRevoked") {
      return revoked;
    }
    const absl::Time now = clock_.Now();
    if (absl::Status saved = store_.Apply(
            *record,
            [&](AcmeOrderRecord& r) {
              if (!r.revoked_at.has_value()) {
                r.revoked_at = now;
                r.revocation_reason = reason;
              }
            },
            now);
        !saved.ok()) {
      return saved;
    }
    log::Info("ACME certificate revoked",
              {{"ca_order_id", record->order_url}, {"reason", static_cast<int>(reason)}});
    return *SettledStatus(*record);
  });
}
}  // namespace sslpanel::ca::acme
