// Delivering a certificate's request: prevalidation first where it applies,
// then the submission (submit, reissue or renew) to its CA adapter, with the
// stored idempotency key. Each answer goes through the domain (processor.h).
#include "absl/strings/str_cat.h"
#include "workflow-service/src/app/ca_answers.h"
#include "workflow-service/src/app/key_conflict.h"
#include "workflow-service/src/app/processor.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {

namespace cmd = domain::command;

void Processor::DeliverPrevalidation(const OutboxItem& item, const OrderRecord& record, int index) {
  const domain::Certificate& cert = record.order.certificates[index];
  if (cert.hold != domain::HoldReason::kPrevalidationRunning ||
      cert.submission != item.submission) {
    Finish(item, "CANCELLED", "superseded: the certificate was edited or cancelled");
    return;
  }
  auto answer = prevalidation_.Prevalidate(record.order, cert);
  if (!answer.ok()) {
    // Never a FAIL because a source is down: the order waits and retries.
    Retry(item, record, index, answer.status());
    return;
  }
  PrevalidationRecord report;
  report.submission = item.submission;
  report.outcome = answer->outcome;
  report.report_json = answer->report_json;
  report.checked_at =
      answer->checked_at == absl::InfinitePast() ? clock_.Now() : answer->checked_at;
  Conclude(item, record,
           {cmd::RecordPrevalidation{item.submission, answer->outcome, answer->summary}},
           "system:prevalidation", std::move(report));
}

absl::StatusOr<CaAnswer> Processor::SendSubmission(CaClient& ca, const OrderRecord& record,
                                                   int index, const std::string& key) {
  const domain::Certificate& cert = record.order.certificates[index];
  const domain::Certificate* previous =
      cert.predecessor >= 0 ? &record.order.certificates[cert.predecessor] : nullptr;
  if (cert.kind != domain::CertificateKind::kInitial && previous == nullptr) {
    return absl::InternalError("a reissue or renewal without its predecessor; see the log");
  }
  switch (cert.kind) {
    case domain::CertificateKind::kInitial: {
      const Product* product = app_.products().Find(record.order.product_id);
      return ca.Submit(record.order, cert, product != nullptr ? product->ca_product_code : "", key);
    }
    case domain::CertificateKind::kReissue:
      return ca.Reissue(*previous, cert, key);
    case domain::CertificateKind::kRenewal:
      return ca.Renew(*previous, cert, key);
  }
  return absl::InternalError("unknown certificate kind");
}

void Processor::DeliverSubmission(const OutboxItem& item, const OrderRecord& record, int index) {
  const domain::Certificate& cert = record.order.certificates[index];
  if (!domain::SubmissionAtCa(cert) || cert.submission != item.submission) {
    Finish(item, "CANCELLED", "superseded: the certificate was edited, cancelled or accepted");
    return;
  }
  CaClient* ca = adapters_.ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    Retry(item, record, index, NoAdapter(cert.ca_adapter));
    return;
  }
  const absl::Time sent_at = clock_.Now();
  ConcludeSubmission(item, record, index, SendSubmission(*ca, record, index, item.idempotency_key),
                     sent_at);
}

std::optional<CaAnswer> Processor::CheckAfterAcceptance(const domain::Certificate& accepted,
                                                        absl::Time sent_at) {
  if (clock_.Now() - sent_at > options_.lease / 4) {
    return std::nullopt;
  }
  CaClient* ca = adapters_.ForAdapter(accepted.ca_adapter);
  if (ca == nullptr) {
    return std::nullopt;
  }
  // As Poll: an adapter's minimum between two checks holds from the
  // acceptance too.
  if (auto caps = capabilities_.For(accepted.ca_adapter);
      caps.ok() && caps->min_poll_interval > absl::ZeroDuration()) {
    return std::nullopt;
  }
  if (!AcquireSlot(accepted.ca_adapter)) {
    return std::nullopt;
  }
  auto answer = ca->Status(accepted.ca_reference);
  ReleaseSlot(accepted.ca_adapter);
  metrics_.status_checks
      .Add({{"adapter", accepted.ca_adapter},
            {"result", !answer.ok()                                ? "error"
                       : AnswerCommands(accepted, *answer).empty() ? "unchanged"
                                                                   : "changed"}})
      .Increment();
  if (!answer.ok()) {
    return std::nullopt;
  }
  return *std::move(answer);
}

void Processor::ConcludeSubmission(const OutboxItem& item, const OrderRecord& record, int index,
                                   const absl::StatusOr<CaAnswer>& answer,
                                   std::optional<absl::Time> sent_at) {
  const domain::Certificate& cert = record.order.certificates[index];
  if (!answer.ok()) {
    if (HoldSubmission(item, record, index, answer.status())) {
      return;
    }
    if (IsKeyConflict(answer.status())) {
      Conclude(item, record,
               {KeyConflictHold(item, cert.ca_adapter, answer.status(), metrics_.key_conflicts)},
               AdapterActor(cert.ca_adapter));
    } else if (!IsDefiniteRefusal(answer.status())) {
      Retry(item, record, index, answer.status());
    } else {
      Conclude(
          item, record,
          {cmd::CaRefused{
              absl::StrCat("the CA adapter refused the request: ", answer.status().message()), ""}},
          AdapterActor(cert.ca_adapter));
    }
    return;
  }
  if (answer->ca_reference.empty()) {
    Retry(item, record, index, absl::InternalError("the CA adapter returned no order reference"));
    return;
  }
  std::vector<domain::Command> commands = {
      cmd::CaAccepted{cert.submission, answer->ca_reference, answer->raw_status}};
  domain::Certificate accepted = cert;
  accepted.status = domain::CertificateStatus::kRequested;
  accepted.ca_reference = answer->ca_reference;
  accepted.ca_raw_status = answer->raw_status;
  for (domain::Command& next : AnswerCommands(accepted, *answer)) {
    commands.push_back(std::move(next));
  }
  bool checked_pending = false;
  if (answer->state == CaState::kPending && sent_at.has_value()) {
    accepted.dcv_instructions = answer->dcv_instructions;  // as the commands above leave it
    if (auto status = CheckAfterAcceptance(accepted, *sent_at); status.has_value()) {
      for (domain::Command& next : AnswerCommands(accepted, *status)) {
        commands.push_back(std::move(next));
      }
      checked_pending = status->state == CaState::kPending;
    }
  }
  if (Conclude(item, record, commands, AdapterActor(cert.ca_adapter)) && checked_pending) {
    // Just checked: the next check is due after the shortest interval, not
    // at once (the save scheduled it at once; should this process die
    // before the line below, the certificate is only checked once more).
    (void)queue_.SchedulePoll(cert.id, clock_.Now() + options_.poll_min, false);
  }
}

}  // namespace sslpanel::workflow::app
