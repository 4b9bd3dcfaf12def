#include "ca-adapter/src/sectigo/sectigo_backend.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "ca-adapter/src/sectigo/sectigo_dcv.h"
#include "ca-adapter/src/sectigo/sectigo_forms.h"
#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "ca-adapter/src/x509/certificate.h"
#include "common/log/log.h"

namespace sslpanel::ca::sectigo {

using domain::OrderState;
using domain::OrderStatus;

namespace {

bool SelfSigned(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  return cert != nullptr && X509_check_issued(cert.get(), cert.get()) == X509_V_OK;
}

bool IsFinal(OrderState state) {
  return state == OrderState::kRefused || state == OrderState::kCancelled ||
         state == OrderState::kRevoked;
}

}  // namespace

SectigoBackend::SectigoBackend(SectigoBackendConfig config, SectigoClient& client,
                               SectigoStore& store, const Clock& clock,
                               prometheus::Registry& metrics)
    : config_(std::move(config)),
      client_(client),
      store_(store),
      clock_(clock),
      calls_(prometheus::BuildCounter()
                 .Name("sslpanel_ca_sectigo_calls_total")
                 .Help("Calls to the Sectigo reseller API by endpoint and result (ok, the "
                       "handling of an error code, or transport)")
                 .Register(metrics)),
      account_problems_(prometheus::BuildCounter()
                            .Name("sslpanel_ca_account_problem_total")
                            .Help("CA answers refusing the reseller account (bad login, no "
                                  "credit, unpaid, no permission): orders wait on hold")
                            .Register(metrics)),
      lookups_(prometheus::BuildCounter()
                   .Name("sslpanel_ca_sectigo_lookups_total")
                   .Help("Look-ups of a creating call whose answer was lost, by outcome (found, "
                         "none, undecided, failed)")
                   .Register(metrics)) {}

domain::Capabilities SectigoBackend::GetCapabilities() const {
  domain::Capabilities caps;
  caps.adapter = "sectigo";
  caps.ca_name = config_.ca_name;
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
  caps.status_polling = domain::Capabilities::StatusPolling{
      config_.min_poll_interval, config_.max_collect_in_flight, config_.rate_limited_backoff};
  return caps;
}

CallOutcome SectigoBackend::Call(Endpoint endpoint, const Form& form, absl::Time deadline) {
  const std::string name(EndpointName(endpoint));
  absl::StatusOr<std::optional<absl::Time>> backoff = store_.BackoffUntil(client_.login_name());
  if (!backoff.ok()) {
    return {Delivery::kNotSent, backoff.status()};
  }
  if (backoff->has_value() && **backoff > clock_.Now()) {
    calls_.Add({{"endpoint", name}, {"result", "held-back"}}).Increment();
    return {Delivery::kNotSent,
            domain::WithRetryAfter(
                absl::ResourceExhaustedError(
                    "the Sectigo account reached its call limit (-42); holding back"),
                **backoff - clock_.Now())};
  }
  CallOutcome outcome = client_.Call(endpoint, form, deadline);
  std::string result = "transport";
  if (outcome.reply.ok()) {
    result = outcome.reply->error_code >= 0
                 ? "ok"
                 : std::string(HandlingName(Classify(endpoint, outcome.reply->error_code)));
  }
  calls_.Add({{"endpoint", name}, {"result", result}}).Increment();
  return outcome;
}

absl::Status SectigoBackend::Failure(Endpoint endpoint, const Reply& reply) {
  const Handling handling = Classify(endpoint, reply.error_code);
  absl::Duration backoff = config_.being_issued_backoff;
  if (handling == Handling::kRateLimited) {
    backoff = config_.rate_limited_backoff;
    const absl::Time now = clock_.Now();
    if (absl::Status saved = store_.SetBackoff(client_.login_name(), now + backoff, now);
        !saved.ok()) {
      log::Warning("cannot store the Sectigo backoff", {{"error", saved}});
    }
  }
  if (handling == Handling::kAccount) {
    account_problems_
        .Add({{"adapter", "sectigo"}, {"endpoint", std::string(EndpointName(endpoint))}})
        .Increment();
    log::Error("Sectigo refused the reseller account; orders wait until it is fixed",
               {{"endpoint", std::string(EndpointName(endpoint))},
                {"error_code", reply.error_code},
                {"message", reply.error_message}});
  }
  return ErrorStatus(endpoint, reply.error_code, reply.error_message, backoff);
}

absl::StatusOr<SectigoOrder> SectigoBackend::Load(absl::string_view ca_order_id) {
  absl::StatusOr<std::optional<SectigoOrder>> found = store_.FindByCaOrderId(ca_order_id);
  if (!found.ok()) {
    return found.status();
  }
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("ca_order_id: this adapter has no Sectigo order \"", ca_order_id, "\""));
  }
  return **std::move(found);
}

OrderStatus SectigoBackend::StatusOf(const SectigoOrder& order) const {
  OrderStatus status;
  status.ca_order_id = order.ca_order_id;
  status.state = order.state;
  status.raw_status = order.raw_status;
  status.certificate = order.certificate;
  status.refusal_reason = order.refusal_reason;
  if (order.state == OrderState::kPending && order.cancel_requested_at == std::nullopt) {
    if (absl::StatusOr<CsrHashes> hashes = HashCsr(order.csr_pem); hashes.ok()) {
      status.dcv_instructions =
          CsrHashInstructions(order.names, order.domain_validations, config_.default_dcv_method,
                              *hashes, order.unique_value);
    }
  }
  return status;
}

absl::Status SectigoBackend::Save(SectigoOrder& order) {
  absl::StatusOr<bool> updated = store_.Update(order, clock_.Now());
  if (!updated.ok()) {
    return updated.status();
  }
  if (!*updated) {
    return absl::AbortedError(
        absl::StrCat("Sectigo order ", order.ca_order_id, " was changed by another call; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<OrderStatus> SectigoBackend::Collect(SectigoOrder& order, absl::Time deadline) {
  const absl::Time wait_until = std::min(clock_.Now() + config_.collect_slot_wait, deadline);
  absl::StatusOr<std::unique_ptr<PollSlot>> slot = store_.AcquirePollSlot(
      client_.login_name(), config_.max_collect_in_flight, wait_until - clock_.Now());
  if (!slot.ok()) {
    if (slot.status().code() == absl::StatusCode::kResourceExhausted) {
      calls_.Add({{"endpoint", "CollectSSL"}, {"result", "no-slot"}}).Increment();
      return domain::WithRetryAfter(slot.status(), absl::Seconds(10));
    }
    return slot.status();
  }
  CallOutcome outcome =
      Call(Endpoint::kCollectSsl, CollectForm(order.order_number, order.certificate_id), deadline);
  slot->reset();
  if (!outcome.reply.ok()) {
    return outcome.reply.status();
  }
  const Reply& reply = *outcome.reply;
  order.last_polled_at = clock_.Now();
  const Handling handling =
      reply.error_code < 0 ? Classify(Endpoint::kCollectSsl, reply.error_code) : Handling::kRetry;
  if (reply.error_code < 0 && handling == Handling::kRejected) {
    order.state =
        order.cancel_requested_at.has_value() ? OrderState::kCancelled : OrderState::kRefused;
    order.raw_status = absl::StrCat("rejected (", reply.error_code, ")");
    if (order.state == OrderState::kRefused) {
      order.refusal_reason =
          reply.error_message.empty() ? "rejected by Sectigo" : reply.error_message;
    }
  } else if (reply.error_code < 0 && handling == Handling::kRevoked) {
    order.state = OrderState::kRevoked;
    order.raw_status = absl::StrCat("revoked (", reply.error_code, ")");
  } else if (reply.error_code < 0) {
    return Failure(Endpoint::kCollectSsl, reply);
  } else {
    absl::StatusOr<CollectResult> collected = ReadCollect(reply);
    if (!collected.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Sectigo CollectSSL: ", collected.status().message()));
    }
    order.raw_status = collected->RawStatus();
    if (!collected->certificate_pem.empty()) {
      absl::StatusOr<x509::CertificateInfo> info =
          x509::InspectCertificate(collected->certificate_pem);
      if (!info.ok()) {
        return absl::UnavailableError(absl::StrCat(
            "Sectigo CollectSSL sent an unreadable certificate: ", info.status().message()));
      }
      domain::IssuedCertificate cert;
      cert.certificate_pem = collected->certificate_pem;
      std::vector<std::string> chain;
      for (const std::string& pem : collected->chain_pems) {
        if (!SelfSigned(pem)) {
          chain.push_back(pem);
        }
      }
      cert.chain_pem = absl::StrJoin(chain, "");
      cert.serial_number = info->serial_number;
      cert.not_before = info->not_before;
      cert.not_after = info->not_after;
      order.certificate = std::move(cert);
      if (order.state == OrderState::kPending) {
        order.state = OrderState::kIssued;
      }
    }
  }
  if (absl::Status saved = Save(order); saved.code() == absl::StatusCode::kAborted) {
    // Another poll stored its answer first: the fresher row stands.
    absl::StatusOr<std::optional<SectigoOrder>> fresh = store_.FindByKey(order.idempotency_key);
    if (!fresh.ok() || !fresh->has_value()) {
      return saved;
    }
    order = **std::move(fresh);
  } else if (!saved.ok()) {
    return saved;
  }
  return StatusOf(order);
}

absl::StatusOr<OrderStatus> SectigoBackend::GetStatus(absl::string_view ca_order_id,
                                                      const app::CallOptions& options) {
  absl::StatusOr<SectigoOrder> order = Load(ca_order_id);
  if (!order.ok()) {
    return order.status();
  }
  const bool operation_pending =
      (order->cancel_requested_at.has_value() || order->revoke_requested_at.has_value());
  if (IsFinal(order->state) || (order->state == OrderState::kIssued && !operation_pending)) {
    return StatusOf(*order);  // nothing more will change without us
  }
  if (order->last_polled_at.has_value() &&
      clock_.Now() - *order->last_polled_at < config_.min_poll_interval) {
    return StatusOf(*order);  // the account's polling bound: the last answer stands
  }
  return Collect(*order, options.deadline);
}

absl::StatusOr<OrderStatus> SectigoBackend::RevokeAtCa(SectigoOrder& order, const std::string& text,
                                                       int code_reason, absl::Time deadline) {
  CallOutcome outcome =
      Call(Endpoint::kAutoRevokeSsl,
           RevokeForm(order.order_number, order.certificate_id, text, code_reason), deadline);
  if (!outcome.reply.ok()) {
    return outcome.reply.status();
  }
  if (outcome.reply->error_code < 0 &&
      Classify(Endpoint::kAutoRevokeSsl, outcome.reply->error_code) != Handling::kAlreadyDone) {
    return Failure(Endpoint::kAutoRevokeSsl, *outcome.reply);
  }
  // The CA answers 0 for a rejection and for a revocation alike: its
  // status tells which happened.
  absl::StatusOr<OrderStatus> after = Collect(order, deadline);
  if (after.ok() || domain::HoldSignal(after.status(), domain::kAccountProblemKey)) {
    return after;
  }
  log::Info("Sectigo status after revocation not read yet; answering the request state",
            {{"ca_order_id", order.ca_order_id}, {"error", after.status()}});
  OrderStatus status = StatusOf(order);
  status.raw_status =
      order.state == OrderState::kIssued ? "revocation-requested" : "cancellation-requested";
  return status;
}

absl::StatusOr<OrderStatus> SectigoBackend::Cancel(absl::string_view ca_order_id,
                                                   absl::string_view reason,
                                                   const app::CallOptions& options) {
  absl::StatusOr<SectigoOrder> order = Load(ca_order_id);
  if (!order.ok()) {
    return order.status();
  }
  if (order->state == OrderState::kCancelled) {
    return StatusOf(*order);
  }
  if (order->state != OrderState::kPending) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order \"", ca_order_id, "\" is ", domain::OrderStateName(order->state),
        order->state == OrderState::kIssued ? "; revoke the certificate instead"
                                            : "; only a pending order can be cancelled"));
  }
  if (!order->cancel_requested_at.has_value()) {
    // Recorded first, so a -20 read later is our cancellation, not a refusal.
    order->cancel_requested_at = clock_.Now();
    if (absl::Status saved = Save(*order); !saved.ok()) {
      return saved;
    }
  }
  return RevokeAtCa(*order, std::string(reason), 0, options.deadline);
}

absl::StatusOr<OrderStatus> SectigoBackend::Revoke(absl::string_view ca_order_id,
                                                   domain::RevocationReason reason,
                                                   const app::CallOptions& options) {
  absl::StatusOr<SectigoOrder> order = Load(ca_order_id);
  if (!order.ok()) {
    return order.status();
  }
  if (order->state == OrderState::kRevoked) {
    return StatusOf(*order);
  }
  if (order->state == OrderState::kPending) {
    // Perhaps issued since the last poll; never revoke (= reject) a pending one.
    absl::StatusOr<OrderStatus> current = Collect(*order, options.deadline);
    if (!current.ok()) {
      return current.status();
    }
  }
  if (order->state != OrderState::kIssued) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order \"", ca_order_id, "\" is ", domain::OrderStateName(order->state),
        order->state == OrderState::kPending ? ", not issued; cancel the order instead"
                                             : "; only an issued certificate can be revoked"));
  }
  if (!order->revoke_requested_at.has_value()) {
    order->revoke_requested_at = clock_.Now();
    if (absl::Status saved = Save(*order); !saved.ok()) {
      return saved;
    }
  }
  return RevokeAtCa(
      *order, absl::StrCat("revocation requested (RFC 5280 reason ", static_cast<int>(reason), ")"),
      CodeReason(reason), options.deadline);
}

}  // namespace sslpanel::ca::sectigo
