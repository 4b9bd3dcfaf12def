// AcmeBackend's order creation: submit, reissue and renewal place one ACME
// order per idempotency key, adopt the order an interrupted attempt created
// (or refuse to guess, acme_recovery.h), and refuse names another key has
// pending at the CA.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/acme/acme_backend.h"
#include "ca-adapter/src/acme/acme_order_status.h"
#include "ca-adapter/src/acme/acme_recovery.h"
#include "ca-adapter/src/app/retry_policy.h"
#include "ca-adapter/src/domain/names.h"
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

}  // namespace

AcmeBackend::AcmeBackend(AcmeBackendConfig config, AcmeClient& client, AccountProvider& accounts,
                         AcmeStore& store, const Clock& clock, ChallengePreflight* preflight,
                         prometheus::Registry& metrics)
    : config_(std::move(config)),
      client_(client),
      accounts_(accounts),
      store_(store),
      clock_(clock),
      driver_(config_.driver, client, store, clock, preflight),
      resumes_(prometheus::BuildCounter()
                   .Name("sslpanel_ca_acme_resumes_without_orders_list_total")
                   .Help("Resumed order creations that could not search the ACME account's "
                         "orders list (the CA offers none), by what the adapter did.")
                   .Register(metrics)) {}

absl::Status AcmeBackend::ResumeUnlisted(const NewOrderRequest& request,
                                         const app::CallOptions& options) {
  const bool create = config_.resume_without_orders_list == ResumeWithoutOrdersList::kCreate;
  // A cancel naming the key: an order the lost attempt may have created is
  // unknown to every row, so nobody answers its challenges or finalizes it;
  // it cannot issue and expires at the CA. Recording the key as never used
  // is safe.
  const char* outcome = options.find_only ? "assumed_none" : create ? "created" : "refused";
  resumes_.Add({{"outcome", outcome}}).Increment();
  log::Warning("ACME resume without an orders list", {{"idempotency_key", request.idempotency_key},
                                                      {"names", absl::StrJoin(request.names, ",")},
                                                      {"outcome", outcome}});
  if (options.find_only || create) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(
      "the ACME CA lists no orders, so whether the interrupted attempt with this idempotency key "
      "already created an order cannot be checked; an operator must decide (with a CA that "
      "answers a repeated newOrder with the pending order, as Let's Encrypt does, set "
      "--resume_without_orders_list=create); retry with the same key");
}

absl::StatusOr<OrderStatus> AcmeBackend::Create(const NewOrderRequest& request,
                                                const Account& account,
                                                const app::CallOptions& options) {
  absl::StatusOr<std::optional<AcmeOrderRecord>> existing =
      store_.FindOrderByKey(request.idempotency_key);
  if (!existing.ok()) {
    return existing.status();
  }
  if (existing->has_value()) {
    return Created(**existing, account, options);
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
  record.account_url = account.url;
  record.kind = request.kind;
  record.original_order_url = request.original_order_url;
  record.names = request.names;
  record.domain_validations = request.domain_validations;
  record.csr_pem = request.csr_pem;
  record.submitted_at = clock_.Now();

  std::optional<std::string> adopted;
  if (options.resumed) {
    absl::StatusOr<OrphanSearch> orphan =
        FindOrphanOrder(client_, store_, clock_, account, request.names, config_.max_recovery_pages,
                        options.deadline);
    if (!orphan.ok()) {
      return orphan.status();
    }
    if (orphan->unlisted) {
      if (absl::Status go_on = ResumeUnlisted(request, options); !go_on.ok()) {
        return go_on;
      }
    }
    adopted = orphan->order_url;
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
    absl::StatusOr<Order> order = client_.NewOrder(account, request.names, options.deadline);
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
    // Either a call with this key inserted first, or the CA answered with an
    // order another key holds: Let's Encrypt answers newOrder for the same
    // account and names with the order still pending.
    absl::StatusOr<std::optional<AcmeOrderRecord>> winner =
        store_.FindOrderByKey(request.idempotency_key);
    if (!winner.ok()) {
      return winner.status();
    }
    if (!winner->has_value()) {
      absl::StatusOr<std::optional<AcmeOrderRecord>> holder = store_.FindOrder(record.order_url);
      if (!holder.ok()) {
        return holder.status();
      }
      if (!holder->has_value()) {
        return absl::AbortedError("concurrent ACME order creation; retry");
      }
      log::Info("the ACME CA answered with an order another key holds",
                {{"ca_order_id", record.order_url},
                 {"idempotency_key", request.idempotency_key},
                 {"holder", (*holder)->idempotency_key}});
      return absl::FailedPreconditionError(absl::StrCat(
          "an order for these names (", absl::StrJoin(request.names, ", "),
          ") is already pending at the CA under idempotency key \"", (*holder)->idempotency_key,
          "\" (", record.order_url,
          "); the CA answers with that order until it is finished: follow or cancel it instead"));
    }
    record = **std::move(winner);
  } else {
    record.version = 1;
    log::Info("ACME order created", {{"ca_order_id", record.order_url},
                                     {"idempotency_key", record.idempotency_key},
                                     {"names", absl::StrJoin(record.names, ",")}});
  }
  return Created(record, account, options);
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
  return WithAccount(options,
                     [&](const Account& account) { return Create(request, account, options); });
}

absl::StatusOr<AcmeOrderRecord> AcmeBackend::IssuedOriginal(absl::string_view ca_order_id,
                                                            const Account& account,
                                                            const app::CallOptions& options,
                                                            absl::string_view action) {
  absl::StatusOr<AcmeOrderRecord> original = Load(ca_order_id);
  if (!original.ok()) {
    return original.status();
  }
  if (!original->certificate.has_value()) {
    absl::StatusOr<OrderStatus> current =
        driver_.Advance(*original, account, options.deadline, Drive::kToCompletion);
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

absl::StatusOr<OrderStatus> AcmeBackend::Replace(NewOrderRequest request,
                                                 const std::string& original_id,
                                                 const std::string& common_name,
                                                 const std::vector<std::string>& additional_names,
                                                 const app::CallOptions& options,
                                                 absl::string_view action) {
  absl::StatusOr<std::optional<AcmeOrderRecord>> existing =
      store_.FindOrderByKey(request.idempotency_key);
  if (!existing.ok()) {
    return existing.status();
  }
  return WithAccount(options, [&](const Account& account) -> absl::StatusOr<OrderStatus> {
    if (!existing->has_value()) {  // a replay needs no original any more
      absl::StatusOr<AcmeOrderRecord> original =
          IssuedOriginal(original_id, account, options, action);
      if (!original.ok()) {
        return original.status();
      }
      request.original_order_url = original->order_url;
      request.names =
          common_name.empty() ? original->names : domain::OrderNames(common_name, additional_names);
    }
    return Create(request, account, options);
  });
}

absl::StatusOr<OrderStatus> AcmeBackend::Reissue(const domain::ReissueCommand& command,
                                                 const app::CallOptions& options) {
  NewOrderRequest request;
  request.idempotency_key = command.idempotency_key;
  request.kind = OrderKind::kReissue;
  request.csr_pem = command.csr_pem;
  request.domain_validations = command.domain_validations;
  return Replace(std::move(request), command.ca_order_id, command.common_name,
                 command.additional_names, options, "reissued");
}

absl::StatusOr<OrderStatus> AcmeBackend::Renew(const domain::RenewCommand& command,
                                               const app::CallOptions& options) {
  NewOrderRequest request;
  request.idempotency_key = command.idempotency_key;
  request.kind = OrderKind::kRenewal;
  request.csr_pem = command.csr_pem;
  request.domain_validations = command.domain_validations;
  // ACME has no validity period to ask for: the CA decides (period_months
  // is not sent).
  return Replace(std::move(request), command.ca_order_id, command.common_name,
                 command.additional_names, options, "renewed");
}

}  // namespace sslpanel::ca::acme
