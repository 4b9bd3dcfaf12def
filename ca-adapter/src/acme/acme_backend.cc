#include "ca-adapter/src/acme/acme_backend.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "ca-adapter/src/acme/acme_order_status.h"
#include "ca-adapter/src/acme/acme_recovery.h"
#include "ca-adapter/src/app/retry_policy.h"
#include "ca-adapter/src/domain/names.h"
#include "ca-adapter/src/x509/certificate.h"
#include "ca-adapter/src/x509/csr.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {

using domain::OrderState;
using domain::OrderStatus;

namespace {

bool SameNames(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

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

absl::StatusOr<OrderStatus> AcmeBackend::Create(const NewOrderRequest& request,
                                                const app::CallOptions& options) {
  absl::StatusOr<std::optional<AcmeOrderRecord>> existing =
      store_.FindOrderByKey(request.idempotency_key);
  if (!existing.ok()) {
    return existing.status();
  }
  absl::StatusOr<Account> account = accounts_.Get(options.deadline);
  if (!account.ok()) {
    return account.status();
  }
  if (existing->has_value()) {
    return Created(**existing, *account, options);
  }
  absl::StatusOr<x509::CsrInfo> csr = x509::ParseCsr(request.csr_pem);
  if (!csr.ok()) {
    return csr.status();
  }
  if (!SameNames(x509::CsrNames(*csr), request.names)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "csr: an ACME CA issues exactly the names in the CSR (",
        absl::StrJoin(x509::CsrNames(*csr), ", "), "), and they differ from the order's (",
        absl::StrJoin(request.names, ", "), ")"));
  }
  AcmeOrderRecord record;
  record.idempotency_key = request.idempotency_key;
  record.account_url = account->url;
  record.kind = request.kind;
  record.original_order_url = request.original_order_url;
  record.names = request.names;
  record.domain_validations = request.domain_validations;
  record.csr_pem = request.csr_pem;
  record.submitted_at = clock_.Now();

  std::optional<std::string> adopted;
  if (options.resumed) {
    absl::StatusOr<std::optional<std::string>> orphan = FindOrphanOrder(
        client_, store_, *account, request.names, config_.max_recovery_pages, options.deadline);
    if (!orphan.ok()) {
      return orphan.status();
    }
    adopted = *orphan;
  }
  if (adopted.has_value()) {
    log::Info("ACME order of an interrupted call adopted",
              {{"ca_order_id", *adopted}, {"idempotency_key", request.idempotency_key}});
    record.order_url = *adopted;
    record.acme_status = "pending";
  } else {
    if (options.find_only) {
      return absl::NotFoundError("no ACME order was created with this idempotency key");
    }
    absl::StatusOr<Order> order = client_.NewOrder(*account, request.names, options.deadline);
    if (!order.ok()) {
      return order.status();
    }
    record.order_url = order->url;
    record.acme_status = order->status;
  }
  if (absl::Status inserted = store_.InsertOrder(record, clock_.Now()); !inserted.ok()) {
    if (inserted.code() != absl::StatusCode::kAlreadyExists) {
      return inserted;
    }
    absl::StatusOr<std::optional<AcmeOrderRecord>> winner =
        store_.FindOrderByKey(request.idempotency_key);
    if (!winner.ok() || !winner->has_value()) {
      return absl::AbortedError("concurrent ACME order creation; retry");
    }
    record = **std::move(winner);
  } else {
    record.version = 1;
    log::Info("ACME order created", {{"ca_order_id", record.order_url},
                                     {"idempotency_key", record.idempotency_key},
                                     {"names", absl::StrJoin(record.names, ",")}});
  }
  return Created(record, *account, options);
}

absl::StatusOr<OrderStatus> AcmeBackend::Created(AcmeOrderRecord& record, const Account& account,
                                                 const app::CallOptions& options) {
  absl::StatusOr<OrderStatus> status =
      driver_.Advance(record, account, options.deadline, Drive::kAnswerChallenges);
  if (!status.ok() && !app::IsRetryable(status.status())) {
    // The order exists at the CA whatever went wrong after: answering with
    // an error the caller must not retry would hide it. Polls report the rest.
    log::Warning("ACME order created, but looking at it failed",
                 {{"ca_order_id", record.order_url}, {"error", status.status()}});
    return StatusOf(record, OrderState::kPending, record.acme_status);
  }
  return status;
}

absl::StatusOr<OrderStatus> AcmeBackend::Submit(const domain::SubmitCommand& command,
                                                const app::CallOptions& options) {
  NewOrderRequest request;
  request.idempotency_key = command.idempotency_key;
  request.csr_pem = command.csr_pem;
  request.names = domain::OrderNames(command.common_name, command.additional_names);
  request.domain_validations = command.domain_validations;
  return Create(request, options);
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
  absl::StatusOr<Account> account = accounts_.Get(options.deadline);
  if (!account.ok()) {
    return account.status();
  }
  return driver_.Advance(*record, *account, options.deadline, Drive::kToCompletion);
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
  absl::StatusOr<Account> account = accounts_.Get(options.deadline);
  if (!account.ok()) {
    return account.status();
  }
  absl::StatusOr<Order> order = client_.GetOrder(*account, record->order_url, options.deadline);
  if (!order.ok()) {
    return order.status();
  }
  if (order->status == "valid" || order->status == "processing" ||
      (IsDeadOrder(order->status) && !record->cancelled_at.has_value())) {
    // Let the regular path record what the CA did, then refuse.
    absl::StatusOr<OrderStatus> current =
        driver_.Advance(*record, *account, options.deadline, Drive::kAnswerChallenges);
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
        client_.DeactivateAuthorization(*account, url, options.deadline);
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
      driver_.Advance(*record, *account, options.deadline, Drive::kAnswerChallenges);
  if (!after.ok()) {
    return after.status();
  }
  log::Info("ACME order cancelled",
            {{"ca_order_id", record->order_url}, {"state", domain::OrderStateName(after->state)}});
  after->dcv_instructions.clear();
  return after;
}

absl::StatusOr<OrderStatus> AcmeBackend::Revoke(absl::string_view ca_order_id,
                                                domain::RevocationReason reason,
                                                const app::CallOptions& options) {
  absl::StatusOr<AcmeOrderRecord> record = Load(ca_order_id);
  if (!record.ok()) {
    return record.status();
  }
  absl::StatusOr<Account> account = accounts_.Get(options.deadline);
  if (!account.ok()) {
    return account.status();
  }
  if (!record->certificate.has_value()) {
    // Perhaps issued since the last poll.
    absl::StatusOr<OrderStatus> current =
        driver_.Advance(*record, *account, options.deadline, Drive::kToCompletion);
    if (!current.ok()) {
      return current.status();
    }
    if (current->state != OrderState::kIssued && current->state != OrderState::kRevoked) {
      return absl::FailedPreconditionError(absl::StrCat(
          "order \"", ca_order_id, "\" is ", domain::OrderStateName(current->state),
          current->state == OrderState::kPending ? ", not issued; cancel the order instead"
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
      client_.RevokeCertificate(*account, *der, static_cast<int>(reason), options.deadline);
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
}

absl::StatusOr<AcmeOrderRecord> AcmeBackend::IssuedOriginal(absl::string_view ca_order_id,
                                                            const app::CallOptions& options,
                                                            absl::string_view action) {
  absl::StatusOr<AcmeOrderRecord> original = Load(ca_order_id);
  if (!original.ok()) {
    return original.status();
  }
  if (!original->certificate.has_value()) {
    absl::StatusOr<Account> account = accounts_.Get(options.deadline);
    if (!account.ok()) {
      return account.status();
    }
    absl::StatusOr<OrderStatus> current =
        driver_.Advance(*original, *account, options.deadline, Drive::kToCompletion);
    if (!current.ok()) {
      return current.status();
    }
  }
  if (!original->certificate.has_value() || original->revoked_at.has_value()) {
    const std::optional<OrderStatus> settled = SettledStatus(*original);
    return absl::FailedPreconditionError(
        absl::StrCat("order \"", ca_order_id, "\" is ",
                     settled.has_value() ? domain::OrderStateName(settled->state) : "pending",
                     "; only an issued certificate can be ", action));
  }
  return original;
}

absl::StatusOr<OrderStatus> AcmeBackend::Reissue(const domain::ReissueCommand& command,
                                                 const app::CallOptions& options) {
  NewOrderRequest request;
  request.idempotency_key = command.idempotency_key;
  request.kind = OrderKind::kReissue;
  request.csr_pem = command.csr_pem;
  request.domain_validations = command.domain_validations;
  absl::StatusOr<std::optional<AcmeOrderRecord>> existing =
      store_.FindOrderByKey(command.idempotency_key);
  if (!existing.ok()) {
    return existing.status();
  }
  if (!existing->has_value()) {  // a replay needs no original any more
    absl::StatusOr<AcmeOrderRecord> original =
        IssuedOriginal(command.ca_order_id, options, "reissued");
    if (!original.ok()) {
      return original.status();
    }
    request.original_order_url = original->order_url;
    request.names = command.common_name.empty()
                        ? original->names
                        : domain::OrderNames(command.common_name, command.additional_names);
  }
  return Create(request, options);
}

absl::StatusOr<OrderStatus> AcmeBackend::Renew(const domain::RenewCommand& command,
                                               const app::CallOptions& options) {
  NewOrderRequest request;
  request.idempotency_key = command.idempotency_key;
  request.kind = OrderKind::kRenewal;
  request.csr_pem = command.csr_pem;
  request.domain_validations = command.domain_validations;
  absl::StatusOr<std::optional<AcmeOrderRecord>> existing =
      store_.FindOrderByKey(command.idempotency_key);
  if (!existing.ok()) {
    return existing.status();
  }
  if (!existing->has_value()) {
    absl::StatusOr<AcmeOrderRecord> original =
        IssuedOriginal(command.ca_order_id, options, "renewed");
    if (!original.ok()) {
      return original.status();
    }
    request.original_order_url = original->order_url;
    request.names = command.common_name.empty()
                        ? original->names
                        : domain::OrderNames(command.common_name, command.additional_names);
  }
  // ACME has no validity period to ask for: the CA decides (period_months
  // is not sent).
  return Create(request, options);
}

}  // namespace sslpanel::ca::acme
