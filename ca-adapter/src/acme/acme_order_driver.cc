#include "ca-adapter/src/acme/acme_order_driver.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/acme/acme_dcv.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "ca-adapter/src/acme/acme_order_status.h"
#include "ca-adapter/src/acme/jose.h"
#include "ca-adapter/src/x509/certificate.h"
#include "ca-adapter/src/x509/csr.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {

using domain::OrderState;
using domain::OrderStatus;

namespace {

constexpr absl::Duration kDefaultProcessingWait = absl::Seconds(1);
constexpr absl::Duration kMaxProcessingWait = absl::Seconds(5);
// Steps one call takes at most (ready -> processing -> ... -> valid).
constexpr int kMaxSteps = 12;
// Pre-flight checks run at once, and the time kept after them for answering
// the challenges and the call.
constexpr size_t kParallelChecks = 8;
constexpr absl::Duration kAnswerReserve = absl::Seconds(2);

}  // namespace

absl::StatusOr<OrderStatus> OrderDriver::Fail(AcmeOrderRecord& record,
                                              const std::string& acme_status,
                                              const std::string& reason) {
  if (absl::Status saved = store_.Apply(
          record,
          [&](AcmeOrderRecord& r) {
            r.acme_status = acme_status;
            r.refusal_reason = reason;
          },
          clock_.Now());
      !saved.ok()) {
    return saved;
  }
  log::Info("ACME order failed", {{"ca_order_id", record.order_url}, {"reason", reason}});
  return *SettledStatus(record);
}

absl::StatusOr<std::vector<Authorization>> OrderDriver::Authorizations(const Account& account,
                                                                       const Order& order,
                                                                       absl::Time deadline) {
  std::vector<Authorization> authorizations;
  for (const std::string& url : order.authorizations) {
    absl::StatusOr<Authorization> authz = client_.GetAuthorization(account, url, deadline);
    if (!authz.ok()) {
      return authz.status();
    }
    authorizations.push_back(*std::move(authz));
  }
  return authorizations;
}

std::vector<bool> OrderDriver::Published(const std::vector<Due>& due, const Account& account,
                                         absl::Time deadline) {
  std::vector<bool> published(due.size(), preflight_ == nullptr);
  if (preflight_ == nullptr) {
    return published;
  }
  const std::string thumbprint = account.key.Thumbprint();
  const absl::Time checks_until = deadline - kAnswerReserve;
  std::vector<PreflightResult> results(due.size());
  for (size_t begin = 0; begin < due.size() && clock_.Now() < checks_until;
       begin += kParallelChecks) {
    const size_t end = std::min(due.size(), begin + kParallelChecks);
    std::vector<std::thread> checks;
    for (size_t i = begin; i < end; ++i) {
      checks.emplace_back([&, i] {
        const Authorization& authz = *due[i].authorization;
        const Challenge& challenge = *due[i].challenge;
        const std::string key_authorization = KeyAuthorization(challenge.token, thumbprint);
        results[i] = challenge.type == "http-01"
                         ? preflight_->CheckHttp(authz.identifier, challenge.token,
                                                 key_authorization, checks_until)
                         : preflight_->CheckDns(absl::StrCat("_acme-challenge.", authz.identifier),
                                                Dns01TxtValue(key_authorization), checks_until);
      });
    }
    for (std::thread& check : checks) {
      check.join();
    }
    for (size_t i = begin; i < end; ++i) {
      published[i] = results[i].ready;
      log::Debug(results[i].ready ? "ACME challenge pre-flight passed"
                                  : "ACME challenge not answered yet: not visible",
                 {{"name", due[i].authorization->identifier},
                  {"challenge", due[i].challenge->type},
                  {"found", results[i].detail}});
    }
  }
  return published;
}

absl::Status OrderDriver::AnswerChallenges(AcmeOrderRecord& record, const Account& account,
                                           std::vector<Authorization>& authorizations,
                                           absl::Time deadline, Drive drive) {
  if (record.cancelled_at.has_value() ||
      clock_.Now() < record.submitted_at + config_.challenge_delay) {
    return absl::OkStatus();
  }
  if (preflight_ != nullptr && drive != Drive::kToCompletion) {
    return absl::OkStatus();
  }
  std::vector<Due> due;
  for (Authorization& authz : authorizations) {
    if (authz.status != "pending") {
      continue;
    }
    const Challenge* chosen =
        ChooseChallenge(authz, record.domain_validations, config_.default_method);
    if (chosen == nullptr || chosen->status != "pending") {
      continue;
    }
    if (preflight_ != nullptr && authz.expires.has_value() && *authz.expires <= clock_.Now()) {
      continue;  // past the CA's deadline: it fails the order, nothing to look for
    }
    due.push_back({&authz, chosen});
  }
  const std::vector<bool> published = Published(due, account, deadline);
  bool answered = false;
  for (size_t i = 0; i < due.size(); ++i) {
    if (!published[i]) {
      continue;
    }
    const std::string url = due[i].challenge->url;
    absl::StatusOr<Challenge> responded = client_.RespondToChallenge(account, url, deadline);
    if (!responded.ok()) {
      return responded.status();
    }
    for (Challenge& challenge : due[i].authorization->challenges) {
      if (challenge.url == url) {
        challenge.status = responded->status;
      }
    }
    log::Info("ACME challenge answered", {{"ca_order_id", record.order_url},
                                          {"name", due[i].authorization->identifier},
                                          {"challenge", due[i].challenge->type},
                                          {"preflight", preflight_ != nullptr}});
    answered = true;
  }
  if (answered && !record.challenges_answered_at.has_value()) {
    const absl::Time now = clock_.Now();
    return store_.Apply(
        record,
        [now](AcmeOrderRecord& r) {
          if (!r.challenges_answered_at.has_value()) {
            r.challenges_answered_at = now;
          }
        },
        now);
  }
  return absl::OkStatus();
}

absl::StatusOr<OrderStatus> OrderDriver::Advance(AcmeOrderRecord& record, const Account& account,
                                                 absl::Time deadline, Drive drive) {
  if (std::optional<OrderStatus> settled = SettledStatus(record); settled.has_value()) {
    return *settled;
  }
  const absl::Time wait_until = std::min(deadline, clock_.Now() + config_.max_poll_wait);
  absl::StatusOr<Order> order = client_.GetOrder(account, record.order_url, deadline);
  if (!order.ok()) {
    return order.status();
  }
  for (int step = 0; step < kMaxSteps; ++step) {
    if (order->status != record.acme_status && !IsDeadOrder(order->status) &&
        order->status != "valid") {
      const std::string seen = order->status;
      if (absl::Status saved = store_.Apply(
              record, [&](AcmeOrderRecord& r) { r.acme_status = seen; }, clock_.Now());
          !saved.ok()) {
        return saved;
      }
    }
    if (order->status == "pending") {
      absl::StatusOr<std::vector<Authorization>> authorizations =
          Authorizations(account, *order, deadline);
      if (!authorizations.ok()) {
        return authorizations.status();
      }
      if (absl::Status answered =
              AnswerChallenges(record, account, *authorizations, deadline, drive);
          !answered.ok()) {
        return answered;
      }
      OrderStatus status = StatusOf(record, OrderState::kPending, order->status);
      status.dcv_instructions = DcvInstructions(*authorizations, record.domain_validations,
                                                config_.default_method, account.key.Thumbprint());
      return status;
    }
    if (order->status == "ready") {
      if (drive == Drive::kAnswerChallenges || record.cancelled_at.has_value()) {
        return StatusOf(record, OrderState::kPending, order->status);
      }
      absl::StatusOr<x509::CsrInfo> csr = x509::ParseCsr(record.csr_pem);
      if (!csr.ok()) {
        return csr.status();
      }
      absl::StatusOr<Order> finalized = client_.Finalize(account, *order, csr->der, deadline);
      if (!finalized.ok() && finalized.status().code() == absl::StatusCode::kInvalidArgument) {
        // The CA will not sign this CSR (badCSR, ...): a refusal, not a
        // reason to make every later poll fail.
        return Fail(record, "invalid", std::string(finalized.status().message()));
      }
      if (!finalized.ok()) {
        if (ProblemType(finalized.status()) != "orderNotReady") {
          return finalized.status();
        }
        // Another poll finalized it first: look again.
        finalized = client_.GetOrder(account, record.order_url, deadline);
        if (!finalized.ok()) {
          return finalized.status();
        }
      } else {
        const absl::Time now = clock_.Now();
        if (absl::Status saved = store_.Apply(
                record, [now](AcmeOrderRecord& r) { r.finalized_at = now; }, now);
            !saved.ok()) {
          return saved;
        }
        log::Info("ACME order finalized", {{"ca_order_id", record.order_url}});
      }
      order = *std::move(finalized);
      continue;
    }
    if (order->status == "processing") {
      const absl::Duration pause = std::clamp(order->retry_after.value_or(kDefaultProcessingWait),
                                              absl::Milliseconds(100), kMaxProcessingWait);
      if (drive == Drive::kAnswerChallenges || clock_.Now() + pause > wait_until) {
        return StatusOf(record, OrderState::kPending, order->status);
      }
      absl::SleepFor(pause);
      order = client_.GetOrder(account, record.order_url, deadline);
      if (!order.ok()) {
        return order.status();
      }
      continue;
    }
    if (order->status == "valid") {
      absl::StatusOr<std::string> pem =
          client_.DownloadCertificate(account, order->certificate, deadline);
      if (!pem.ok()) {
        return pem.status();
      }
      absl::StatusOr<std::vector<std::string>> blocks = x509::SplitPemChain(*pem);
      if (!blocks.ok()) {
        return absl::UnavailableError(
            absl::StrCat("ACME certificate download: ", blocks.status().message()));
      }
      absl::StatusOr<x509::CertificateInfo> info = x509::InspectCertificate(blocks->front());
      if (!info.ok()) {
        return absl::UnavailableError(
            absl::StrCat("ACME certificate download: ", info.status().message()));
      }
      domain::IssuedCertificate certificate;
      certificate.certificate_pem = blocks->front();
      certificate.chain_pem = absl::StrJoin(blocks->begin() + 1, blocks->end(), "");
      certificate.serial_number = info->serial_number;
      certificate.not_before = info->not_before;
      certificate.not_after = info->not_after;
      if (absl::Status saved = store_.Apply(
              record,
              [&certificate](AcmeOrderRecord& r) {
                r.acme_status = "valid";
                if (!r.certificate.has_value()) {
                  r.certificate = certificate;
                }
              },
              clock_.Now());
          !saved.ok()) {
        return saved;
      }
      log::Info("ACME certificate issued",
                {{"ca_order_id", record.order_url}, {"serial", info->serial_number}});
      return *SettledStatus(record);
    }
    if (IsDeadOrder(order->status)) {
      std::string reason = DescribeProblem(order->error);
      if (reason.empty()) {
        // The reason sits on the failed challenge.
        absl::StatusOr<std::vector<Authorization>> authorizations =
            Authorizations(account, *order, deadline);
        for (const Authorization& authz :
             authorizations.ok() ? *authorizations : std::vector<Authorization>()) {
          for (const Challenge& challenge : authz.challenges) {
            if (!challenge.error.is_null() && reason.empty()) {
              reason = absl::StrCat(authz.identifier, ": ", DescribeProblem(challenge.error));
            }
          }
          if (reason.empty() && authz.status != "valid" && authz.status != "pending") {
            reason = absl::StrCat("authorization for ", authz.identifier, " is ", authz.status);
          }
        }
      }
      return Fail(
          record, order->status,
          reason.empty() ? absl::StrCat("the ACME CA marked the order ", order->status) : reason);
    }
    return absl::UnavailableError(
        absl::StrCat("ACME order has an unknown status \"", order->status, "\""));
  }
  return StatusOf(record, OrderState::kPending, order->status);
}

}  // namespace sslpanel::ca::acme
