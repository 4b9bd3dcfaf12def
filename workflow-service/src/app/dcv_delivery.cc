// Delivering DCV operations and an operator's resolution to the CA adapter,
// and the two holds a submission's answer can carry. A DCV change or e-mail
// goes out under its own key (one per decision); its answer, or the CA's
// definite "no", is recorded as an event. A resolution is sent with the
// submission's key, then the submission is replayed under that key: the
// adapter answers with the order the resolution named (or creates it, for a
// resubmission), and that answer settles the hold.
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "workflow-service/src/app/ca_answers.h"
#include "workflow-service/src/app/key_conflict.h"
#include "workflow-service/src/app/processor.h"

namespace sslpanel::workflow::app {

namespace cmd = domain::command;

namespace {
constexpr char kOutboxActor[] = "system:outbox";
}  // namespace

bool Processor::HoldSubmission(const OutboxItem& item, const OrderRecord& record, int index,
                               const absl::Status& error) {
  domain::HoldReason hold;
  absl::optional<absl::Cord> reason = error.GetPayload(kOutcomeUnknownPayload);
  if (reason.has_value()) {
    hold = domain::HoldReason::kCaOutcomeUnknown;
  } else if (reason = error.GetPayload(kAccountProblemPayload); reason.has_value()) {
    hold = domain::HoldReason::kCaAccount;
  } else {
    return false;
  }
  const domain::Certificate& cert = record.order.certificates[index];
  const std::string message(error.message());
  Count(item, "hold");
  if (cert.hold != hold || cert.last_error != message) {
    OutcomeExtras extras;
    extras.loaded = &record;
    auto saved = app_.Record(item.order_id, cert.id, {cmd::CaHold{cert.submission, hold, message}},
                             AdapterActor(cert.ca_adapter), extras);
    if (!saved.ok()) {
      log::Warning("hold not recorded", {{"outbox_id", item.id}, {"error", saved.status()}});
    }
    if (hold == domain::HoldReason::kCaOutcomeUnknown) {
      log::Warning(
          "the CA adapter does not know whether a submission reached the CA; "
          "held for an operator (ResolveCaSubmission)",
          {{"outbox_id", item.id},
           {"order_id", item.order_id},
           {"certificate_id", cert.id},
           {"idempotency_key", item.idempotency_key},
           {"reason", std::string(*reason)}});
    } else {
      log::Warning(
          "the CA refused the reseller account; retrying",
          {{"outbox_id", item.id}, {"adapter", cert.ca_adapter}, {"reason", std::string(*reason)}});
    }
  }
  // The same key again later: the adapter answers the hold until the CA
  // (or an operator) settles it, so an unknown outcome is asked rarely.
  const absl::Time now = clock_.Now();
  const absl::Time due = hold == domain::HoldReason::kCaOutcomeUnknown
                             ? now + options_.retry_max
                             : Backoff(item.attempts, now, error);
  if (absl::Status s = queue_.RetryOutbox(item.id, due, message, now); !s.ok()) {
    log::Warning("outbox retry not recorded", {{"outbox_id", item.id}, {"error", s}});
  }
  return true;
}

void Processor::DeliverDcvOperation(const OutboxItem& item, const OrderRecord& record, int index) {
  const domain::Certificate& cert = record.order.certificates[index];
  const bool change = item.kind == domain::IntentKind::kChangeDcvAtCa;
  if (cert.status != domain::CertificateStatus::kRequested || cert.ca_reference.empty()) {
    // Issued, refused or cancelled meanwhile: nothing to validate any more.
    Conclude(
        item, record,
        {cmd::CaOperationFailed{item.kind, absl::StrCat("not sent: the certificate is ",
                                                        domain::ToString(cert.status), " now")}},
        kOutboxActor);
    return;
  }
  CaClient* ca = adapters_.ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    Retry(item, record, index, NoAdapter(cert.ca_adapter));
    return;
  }
  absl::StatusOr<CaAnswer> answer =
      change
          ? ca->ChangeDcv(cert.ca_reference, item.detail.domain_validations, item.idempotency_key)
          : ca->ResendDcvEmail(cert.ca_reference, item.detail.host_name, item.idempotency_key);
  if (!answer.ok()) {
    if (IsKeyConflict(answer.status())) {
      Conclude(item, record,
               {cmd::CaOperationFailed{item.kind,
                                       ReportKeyConflict(item, cert.ca_adapter, answer.status(),
                                                         metrics_.key_conflicts)}},
               AdapterActor(cert.ca_adapter));
    } else if (IsDefiniteRefusal(answer.status())) {
      Conclude(item, record,
               {cmd::CaOperationFailed{item.kind, std::string(answer.status().message())}},
               AdapterActor(cert.ca_adapter));
    } else {
      Retry(item, record, index, answer.status());
    }
    return;
  }
  std::vector<domain::Command> commands;
  if (change) {
    commands.push_back(cmd::DcvChanged{answer->raw_status, answer->dcv_instructions});
  } else {
    commands.push_back(cmd::DcvEmailResent{answer->raw_status, answer->dcv_instructions});
  }
  Conclude(item, record, commands, AdapterActor(cert.ca_adapter));
}

void Processor::DeliverResolution(const OutboxItem& item, const OrderRecord& record, int index) {
  const domain::Certificate& cert = record.order.certificates[index];
  if (cert.hold != domain::HoldReason::kCaOutcomeUnknown || cert.submission != item.submission) {
    Finish(item, "CANCELLED", "superseded: the submission is no longer held");
    return;
  }
  CaClient* ca = adapters_.ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    Retry(item, record, index, NoAdapter(cert.ca_adapter));
    return;
  }
  absl::StatusOr<CaAnswer> resolved = ca->ResolveSubmission(item.ref_key, item.detail);
  if (!resolved.ok()) {
    if (IsDefiniteRefusal(resolved.status())) {
      Conclude(item, record,
               {cmd::CaOperationFailed{item.kind, std::string(resolved.status().message())}},
               AdapterActor(cert.ca_adapter));
    } else {
      Retry(item, record, index, resolved.status());
    }
    return;
  }
  // The submission's replay under its own key now answers with the order
  // the resolution named (or sends it, for a resubmission). A retryable
  // answer keeps this row: resolving the same way again is harmless.
  absl::StatusOr<CaAnswer> replay = SendSubmission(*ca, record, index, item.ref_key);
  if (!replay.ok() && !IsDefiniteRefusal(replay.status()) && !IsKeyConflict(replay.status())) {
    Retry(item, record, index, replay.status());
    return;
  }
  ConcludeSubmission(item, record, index, replay);
}

}  // namespace sslpanel::workflow::app
