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
  accepted.ca_raw_status = answer->raw_status;
  for (domain::Command& next : AnswerCommands(accepted, *answer)) {
    commands.push_back(std::move(next));
  }
  // Still at the CA: due for a status check at once, made here right after
  // the save unless the submission took long (the row's lease covers both).
  const bool check_here = answer->state == CaState::kPending && sent_at.has_value() &&
                          clock_.Now() - *sent_at < options_.lease / 4;
  std::optional<OrderRecord> saved = Conclude(
      item, record, commands, AdapterActor(cert.ca_adapter), {},
      check_here ? std::optional<absl::Time>(clock_.Now() + options_.lease) : std::nullopt);
  if (check_here && saved.has_value()) {
    CheckStatus(*saved, cert.id, 0);
  }
}

}  // namespace sslpanel::workflow::app
