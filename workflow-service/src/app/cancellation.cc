// Delivering a customer's cancel to the CA: a cancellation (REQUESTED), a
// revocation (ACTIVE), or the abandonment of a submission that may have
// reached the CA. A CA answer can overtake each of them — the CA issues
// while the cancel travels — so a definite "no" is never taken at its word:
// where the CA order stands decides, and the customer's acknowledged cancel
// is carried through (a cancel that meets an issued order becomes a
// revocation) or explicitly refused in the history, never dropped.
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "workflow-service/src/app/ca_answers.h"
#include "workflow-service/src/app/key_conflict.h"
#include "workflow-service/src/app/processor.h"

namespace sslpanel::workflow::app {

namespace cmd = domain::command;

void Processor::RetryQuietly(const OutboxItem& item, const absl::Status& error) {
  const absl::Time now = clock_.Now();
  (void)queue_.RetryOutbox(item.id, Backoff(item.attempts, now, error),
                           std::string(error.message()), now);
}

void Processor::DeliverCancellation(const OutboxItem& item, const OrderRecord& record, int index) {
  const domain::Certificate& cert = record.order.certificates[index];
  const bool revoke = item.kind == domain::IntentKind::kRevokeAtCa;
  const auto expected =
      revoke ? domain::CertificateStatus::kActive : domain::CertificateStatus::kRequested;
  if (cert.status != expected || cert.pending != domain::PendingOperation::kCancel) {
    // E.g. issued meanwhile: the revocation the domain intended carries on.
    Finish(item, "CANCELLED", "superseded: the certificate is no longer waiting to be cancelled");
    return;
  }
  CaClient* ca = adapters_.ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    Retry(item, record, index, NoAdapter(cert.ca_adapter));
    return;
  }
  auto answer =
      revoke ? ca->Revoke(cert.ca_reference, item.idempotency_key)
             : ca->Cancel(cert.ca_reference, "", "cancelled by the customer", item.idempotency_key);
  if (!answer.ok()) {
    if (IsKeyConflict(answer.status())) {
      // Another database's call under this key: the customer's cancel
      // stands and goes out again under a new key (the history says why).
      Conclude(item, record,
               {cmd::CaCancelKeyConflict{ReportKeyConflict(item, cert.ca_adapter, answer.status(),
                                                           metrics_.key_conflicts),
                                         cert.status}},
               AdapterActor(cert.ca_adapter));
    } else if (!IsDefiniteRefusal(answer.status())) {
      Retry(item, record, index, answer.status());
    } else {
      ConcludeRefusedCancellation(item, record, index, *ca, answer.status());
    }
    return;
  }
  // A confirmation is recorded now; a pending one is picked up by the status
  // sync, which watches certificates with the Cancel arrow.
  Conclude(item, record, AnswerCommands(cert, *answer), AdapterActor(cert.ca_adapter));
}

void Processor::ConcludeRefusedCancellation(const OutboxItem& item, const OrderRecord& record,
                                            int index, CaClient& ca, const absl::Status& refusal) {
  const domain::Certificate& cert = record.order.certificates[index];
  // The usual "no" is "already issued: revoke, do not cancel" (or refused,
  // or cancelled by the CA itself). Only a CA that still holds the order as
  // it was refuses the customer's cancel; that refusal goes in the history.
  auto status = ca.Status(cert.ca_reference);
  if (!status.ok()) {
    Retry(item, record, index,
          absl::Status(status.status().code(),
                       absl::StrCat("the CA refused the cancellation (", refusal.message(),
                                    ") and where its order stands could not be read: ",
                                    status.status().message())));
    return;
  }
  if (status->state == CaState::kIssued && cert.status == domain::CertificateStatus::kRequested &&
      !status->certificate.has_value()) {
    Retry(item, record, index,
          absl::UnavailableError("the CA reports the order issued but sent no certificate"));
    return;
  }
  std::vector<domain::Command> commands = AnswerCommands(cert, *status);
  if (!SettlesCancellation(commands)) {
    commands.push_back(cmd::CaCancelRefused{std::string(refusal.message()), cert.status});
  }
  // If the status sync recorded the issuance meanwhile, these answers are
  // stale and refused by the domain; the revocation it intended carries on.
  Conclude(item, record, commands, AdapterActor(cert.ca_adapter));
}

void Processor::DeliverAbandon(const OutboxItem& item, const OrderRecord& record, int index) {
  const domain::Certificate& cert = record.order.certificates[index];
  CaClient* ca = adapters_.ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    RetryQuietly(item, NoAdapter(cert.ca_adapter));
    return;
  }
  auto answer = ca->Cancel(cert.ca_reference, item.ref_key,
                           "cancelled by the customer before the CA confirmed the order",
                           item.idempotency_key);
  if (answer.ok()) {
    if (answer->state == CaState::kPending || answer->state == CaState::kIssued) {
      // Accepted but not (yet) confirmed: the row stays until the CA order
      // is final, so an issuance after this is revoked too.
      SettleAbandoned(item, *ca, answer->ca_reference,
                      absl::UnavailableError("the CA has not confirmed the cancellation yet"));
    } else {
      Finish(item, "DONE", "");
    }
  } else if (IsKeyConflict(answer.status())) {
    Finish(item, "FAILED",
           ReportKeyConflict(item, cert.ca_adapter, answer.status(), metrics_.key_conflicts));
  } else if (!IsDefiniteRefusal(answer.status())) {
    RetryQuietly(item, answer.status());  // the certificate is final already
  } else {
    RevokeAbandoned(item, record, index, *ca, answer.status());
  }
}

void Processor::RevokeAbandoned(const OutboxItem& item, const OrderRecord& record, int index,
                                CaClient& ca, const absl::Status& refusal) {
  // The CA would not cancel what the abandoned submission created, most
  // often because it issued it meanwhile: a certificate the customer
  // cancelled must not stay live. The submission's replay (same key: the
  // adapter answers with its first answer) names the order. It cannot create
  // one: the adapter refuses a cancel by submit key definitely only when
  // the key resolved to an order it created (an unknown key is tombstoned
  // and the cancel succeeds), or to a call that creates none, whose replay
  // under another operation is ALREADY_EXISTS.
  std::string reference = record.order.certificates[index].ca_reference;
  if (reference.empty()) {
    auto replay = SendSubmission(ca, record, index, item.ref_key);
    if (!replay.ok()) {
      if (IsKeyConflict(replay.status())) {
        Finish(item, "FAILED",
               ReportKeyConflict(item, record.order.certificates[index].ca_adapter, replay.status(),
                                 metrics_.key_conflicts));
      } else if (IsDefiniteRefusal(replay.status())) {
        Finish(item, "FAILED",
               absl::StrCat(refusal.message(),
                            "; the submission's replay: ", replay.status().message()));
      } else {
        RetryQuietly(item, replay.status());
      }
      return;
    }
    reference = replay->ca_reference;
  }
  SettleAbandoned(item, ca, reference, refusal);
}

void Processor::SettleAbandoned(const OutboxItem& item, CaClient& ca, const std::string& reference,
                                const absl::Status& refusal) {
  auto status = reference.empty() ? absl::StatusOr<CaAnswer>(absl::NotFoundError(
                                        "the CA named no order for the abandoned submission"))
                                  : ca.Status(reference);
  if (!status.ok()) {
    if (IsDefiniteRefusal(status.status())) {
      Finish(item, "FAILED", absl::StrCat(refusal.message(), "; ", status.status().message()));
    } else {
      RetryQuietly(item, status.status());
    }
    return;
  }
  switch (status->state) {
    case CaState::kCancelled:
    case CaState::kRefused:
    case CaState::kRevoked:
      Finish(item, "DONE", absl::StrCat("the CA order ", reference, " is ", status->raw_status));
      return;
    case CaState::kPending:
      // Not cancelled yet (refused, or accepted and not confirmed): ask
      // again later, so an issuance after this is revoked too.
      log::Warning("an abandoned CA order is not cancelled yet; checking again later",
                   {{"outbox_id", item.id}, {"ca_reference", reference}, {"error", refusal}});
      RetryQuietly(item, refusal);
      return;
    case CaState::kIssued:
      break;
  }
  auto revoked = ca.Revoke(reference, absl::StrCat(item.idempotency_key, "-revoke"));
  if (revoked.ok()) {
    log::Info("revoked a certificate the CA issued after the customer cancelled",
              {{"outbox_id", item.id}, {"ca_reference", reference}});
    Finish(item, "DONE",
           absl::StrCat("the CA issued ", reference, " before the cancellation; revoked"));
  } else if (IsDefiniteRefusal(revoked.status())) {
    log::Warning(
        "the CA refused to revoke a certificate the customer cancelled",
        {{"outbox_id", item.id}, {"ca_reference", reference}, {"error", revoked.status()}});
    Finish(item, "FAILED", std::string(revoked.status().message()));
  } else {
    RetryQuietly(item, revoked.status());
  }
}

}  // namespace sslpanel::workflow::app
