#include "workflow-service/src/app/processor.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "workflow-service/src/app/ca_answers.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {
namespace {

namespace cmd = domain::command;

constexpr char kOutboxActor[] = "system:outbox";
constexpr char kSyncActor[] = "system:ca-sync";
constexpr char kExpiryActor[] = "system:expiry";

}  // namespace

bool IsDefiniteRefusal(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

Processor::Processor(WorkflowApp& app, WorkQueue& queue, PrevalidationClient& prevalidation,
                     CaRouter& adapters, const Clock& clock, ProcessingOptions options,
                     std::function<double()> random, prometheus::Registry& metrics)
    : app_(app),
      queue_(queue),
      prevalidation_(prevalidation),
      adapters_(adapters),
      clock_(clock),
      options_(std::move(options)),
      random_(std::move(random)),
      metrics_(metrics),
      capabilities_(adapters, clock) {}

void Processor::Count(const OutboxItem& item, const std::string& result) {
  metrics_.deliveries.Add({{"kind", std::string(domain::ToString(item.kind))}, {"result", result}})
      .Increment();
}

absl::StatusOr<std::vector<OutboxItem>> Processor::ClaimOutbox(int limit) {
  return queue_.ClaimOutbox(clock_.Now(), limit, options_.lease, options_.owner);
}

absl::StatusOr<std::vector<PollItem>> Processor::ClaimPolls(int limit) {
  return queue_.ClaimPolls(clock_.Now(), limit, options_.lease);
}

absl::Time Processor::Backoff(int attempt, absl::Time now, const absl::Status& error) const {
  if (auto retry_after = error.GetPayload(kRetryAfterPayload); retry_after.has_value()) {
    int seconds = 0;
    if (absl::SimpleAtoi(std::string(*retry_after), &seconds) && seconds > 0) {
      return now + std::min(absl::Seconds(seconds), options_.retry_max);
    }
  }
  // Capped exponential backoff with full jitter around the step.
  const double step = absl::ToDoubleSeconds(options_.retry_base) *
                      std::pow(2.0, std::min(std::max(attempt - 1, 0), 20));
  const double cap = absl::ToDoubleSeconds(options_.retry_max);
  return now + absl::Seconds(std::min(std::min(step, cap) * (0.5 + random_()), cap));
}

void Processor::Finish(const OutboxItem& item, const std::string& status, const std::string& note) {
  Count(item, absl::AsciiStrToLower(status));
  absl::Status finished = queue_.FinishOutbox(item.id, status, note, clock_.Now());
  if (!finished.ok()) {
    log::Warning("outbox row not finished; its lease will return it",
                 {{"outbox_id", item.id}, {"error", finished}});
  }
}

void Processor::Retry(const OutboxItem& item, const OrderRecord& record, int index,
                      const absl::Status& error) {
  Count(item, "retry");
  const absl::Time now = clock_.Now();
  const std::string message(error.message());
  absl::Status rescheduled =
      queue_.RetryOutbox(item.id, Backoff(item.attempts, now, error), message, now);
  if (!rescheduled.ok()) {
    log::Warning("outbox retry not recorded", {{"outbox_id", item.id}, {"error", rescheduled}});
  }
  const domain::Certificate& cert = record.order.certificates[index];
  if (cert.last_error != message) {
    // Visible on the order while it waits; not an event (no state change).
    OutcomeExtras extras;
    extras.loaded = &record;
    (void)app_.Record(item.order_id, cert.id, {cmd::RecordError{message}}, kOutboxActor, extras);
  }
  log::Info("delivery will be retried", {{"outbox_id", item.id},
                                         {"kind", domain::ToString(item.kind)},
                                         {"attempt", item.attempts},
                                         {"error", error}});
}

std::optional<OrderRecord> Processor::Conclude(const OutboxItem& item, const OrderRecord& record,
                                               const std::vector<domain::Command>& commands,
                                               const std::string& actor,
                                               std::optional<PrevalidationRecord> report,
                                               std::optional<absl::Time> first_check_at) {
  if (commands.empty()) {
    Finish(item, "DONE", "");
    return std::nullopt;
  }
  OutcomeExtras extras;
  extras.caller = kOutboxActor;
  extras.completes_outbox_id = item.id;
  extras.prevalidation = std::move(report);
  extras.loaded = &record;
  extras.first_check_at = first_check_at;
  auto saved = app_.Record(item.order_id, item.certificate_id, commands, actor, extras);
  if (saved.ok()) {
    Count(item, "recorded");
    return *std::move(saved);
  }
  if (saved.status().code() == absl::StatusCode::kFailedPrecondition ||
      saved.status().code() == absl::StatusCode::kNotFound) {
    // The order moved on meanwhile (a cancel, an edit): the answer is stale.
    Finish(item, "DONE", absl::StrCat("answer not applied: ", saved.status().message()));
    return std::nullopt;
  }
  if (saved.status().code() == absl::StatusCode::kInvalidArgument) {
    // The peer answered something the workflow cannot accept (an issued
    // certificate without a PEM, dates in the wrong order): ask again later
    // and show why, rather than cycling on the lease or losing the order.
    const int index = record.IndexOf(item.certificate_id);
    if (index >= 0) {
      Retry(item, record, index,
            absl::InvalidArgumentError(
                absl::StrCat("unusable answer from ", actor, ": ", saved.status().message())));
    }
    return std::nullopt;
  }
  log::Warning("outcome not saved; the row returns after its lease",
               {{"outbox_id", item.id}, {"error", saved.status()}});
  return std::nullopt;
}

void Processor::Deliver(const OutboxItem& item) {
  auto record = app_.GetOrder(item.order_id);
  if (!record.ok()) {
    if (record.status().code() == absl::StatusCode::kNotFound) {
      Finish(item, "FAILED", "the order no longer exists");
    }
    return;  // the database is away: the lease brings the row back
  }
  const int index = record->IndexOf(item.certificate_id);
  if (index < 0) {
    Finish(item, "FAILED", "the certificate no longer exists");
    return;
  }
  switch (item.kind) {
    case domain::IntentKind::kPrevalidate:
      DeliverPrevalidation(item, *record, index);
      break;
    case domain::IntentKind::kSubmitToCa:
      DeliverSubmission(item, *record, index);
      break;
    case domain::IntentKind::kCancelAtCa:
    case domain::IntentKind::kRevokeAtCa:
      DeliverCancellation(item, *record, index);
      break;
    case domain::IntentKind::kAbandonAtCa:
      DeliverAbandon(item, *record, index);
      break;
    case domain::IntentKind::kChangeDcvAtCa:
    case domain::IntentKind::kResendDcvEmailAtCa:
      DeliverDcvOperation(item, *record, index);
      break;
    case domain::IntentKind::kResolveAtCa:
      DeliverResolution(item, *record, index);
      break;
  }
}

absl::Time Processor::NextPoll(const domain::Certificate& cert, const OrderRecord& record,
                               int index, absl::Time now) {
  if (cert.status == domain::CertificateStatus::kActive &&
      cert.pending == domain::PendingOperation::kNone) {
    return now + options_.poll_max;  // a superseded certificate: rarely
  }
  // Young requests are checked often, old ones rarely: a tenth of the time
  // already waited, within [poll_min, poll_max].
  absl::Time since = cert.created_at;
  for (const domain::Event& event : record.EventsOf(index)) {
    since = event.at;
  }
  const absl::Duration waited = now - since;
  absl::Duration interval = std::clamp(waited / 10, options_.poll_min, options_.poll_max);
  // The adapter's own bound (GetCapabilities.status_polling), e.g. a CA
  // account that survives one status call per order every 30 minutes.
  if (auto caps = capabilities_.For(cert.ca_adapter); caps.ok()) {
    interval = std::max(interval, caps->min_poll_interval);
  }
  return now + interval;
}

bool Processor::AcquireSlot(const std::string& adapter) {
  std::lock_guard<std::mutex> lock(slots_mu_);
  int& busy = busy_[adapter];
  if (busy >= options_.adapter_concurrency) {
    return false;
  }
  ++busy;
  return true;
}

void Processor::ReleaseSlot(const std::string& adapter) {
  std::lock_guard<std::mutex> lock(slots_mu_);
  --busy_[adapter];
}

void Processor::Poll(const PollItem& item) {
  auto record = app_.GetOrder(item.order_id);
  if (!record.ok()) {
    return;  // the lease brings it back
  }
  CheckStatus(*record, item.certificate_id, item.failures);
}

void Processor::CheckStatus(const OrderRecord& loaded, int64_t certificate_id, int failures) {
  const absl::Time now = clock_.Now();
  const OrderRecord* record = &loaded;
  const int index = record->IndexOf(certificate_id);
  if (index < 0) {
    return;
  }
  const domain::Certificate& cert = record->order.certificates[index];
  if (!domain::NeedsCaWatch(record->order, index) || cert.ca_reference.empty()) {
    (void)queue_.SchedulePoll(cert.id, now + options_.poll_max, false);
    return;
  }
  CaClient* ca = adapters_.ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    (void)queue_.SchedulePoll(cert.id, now + options_.poll_max, true);
    return;
  }
  // The adapter's minimum between two checks holds from the CA's last
  // answer that changed the order too (its acceptance, a DCV change).
  if (auto caps = capabilities_.For(cert.ca_adapter);
      caps.ok() && caps->min_poll_interval > absl::ZeroDuration()) {
    absl::Time last = cert.created_at;
    for (const domain::Event& event : record->EventsOf(index)) {
      last = event.at;
    }
    if (now < last + caps->min_poll_interval) {
      (void)queue_.SchedulePoll(cert.id, last + caps->min_poll_interval, false);
      return;
    }
  }
  if (!AcquireSlot(cert.ca_adapter)) {
    metrics_.status_checks.Add({{"adapter", cert.ca_adapter}, {"result", "busy"}}).Increment();
    (void)queue_.SchedulePoll(cert.id, now + options_.poll_min, false);
    return;
  }
  auto answer = ca->Status(cert.ca_reference);
  ReleaseSlot(cert.ca_adapter);
  metrics_.status_checks
      .Add({{"adapter", cert.ca_adapter},
            {"result", !answer.ok()                            ? "error"
                       : AnswerCommands(cert, *answer).empty() ? "unchanged"
                                                               : "changed"}})
      .Increment();
  if (!answer.ok()) {
    absl::Time next =
        std::max(Backoff(failures + 1, now, answer.status()), NextPoll(cert, *record, index, now));
    if (answer.status().code() == absl::StatusCode::kResourceExhausted &&
        !answer.status().GetPayload(kRetryAfterPayload).has_value()) {
      // Rate limited without a retry-after: the adapter's declared pause.
      if (auto caps = capabilities_.For(cert.ca_adapter); caps.ok()) {
        next = std::max(next, now + caps->rate_limited_backoff);
      }
    }
    (void)queue_.SchedulePoll(cert.id, next, true);
    const std::string message(answer.status().message());
    if (cert.last_error != message) {
      OutcomeExtras extras;
      extras.loaded = &*record;
      (void)app_.Record(record->order.id, cert.id, {cmd::RecordError{message}}, kSyncActor, extras);
    }
    return;
  }
  const std::vector<domain::Command> commands = AnswerCommands(cert, *answer);
  if (!commands.empty()) {
    OutcomeExtras extras;
    extras.caller = kSyncActor;
    extras.loaded = &*record;
    auto saved =
        app_.Record(record->order.id, cert.id, commands, AdapterActor(cert.ca_adapter), extras);
    if (!saved.ok() && saved.status().code() != absl::StatusCode::kFailedPrecondition) {
      return;  // not recorded: the lease brings the check back
    }
    if (saved.ok()) {
      const int now_index = saved->IndexOf(cert.id);
      if (now_index < 0 || !domain::NeedsCaWatch(saved->order, now_index)) {
        return;  // the save ended the watch (next_poll_at cleared with it)
      }
    }
  }
  // Still watched after this answer (pending, or a cancel not confirmed)?
  (void)queue_.SchedulePoll(cert.id, NextPoll(cert, *record, index, now), false);
}

int Processor::ExpireCertificates(int limit) {
  auto orders = queue_.OrdersToExpire(clock_.Now(), limit);
  if (!orders.ok()) {
    log::Warning("expiry scan failed", {{"error", orders.status()}});
    return 0;
  }
  int changed = 0;
  for (int64_t order_id : *orders) {
    if (app_.Record(order_id, 0, {cmd::ExpireDue{}}, kExpiryActor).ok()) {
      ++changed;
      metrics_.expired.Increment();
    }
  }
  return changed;
}

int Processor::FlagStuckOrders(int limit) {
  auto stuck = queue_.StuckCandidates(clock_.Now(), limit);
  if (!stuck.ok()) {
    log::Warning("stuck scan failed", {{"error", stuck.status()}});
    return 0;
  }
  int flagged = 0;
  for (int64_t order_id : *stuck) {
    auto newly = queue_.FlagStuck(order_id, clock_.Now());
    if (newly.ok() && *newly) {
      ++flagged;
      metrics_.flagged_stuck.Increment();
      auto record = app_.GetOrder(order_id);
      const domain::Order* order = record.ok() ? &record->order : nullptr;
      const domain::Certificate* cert =
          order != nullptr ? &order->certificates[domain::CurrentCertificate(*order)] : nullptr;
      log::Warning("order stuck beyond its SLA",
                   {{"order_id", order_id},
                    {"status", cert != nullptr ? domain::ToString(cert->status) : "?"},
                    {"pending", cert != nullptr ? domain::ToString(cert->pending) : "?"},
                    {"hold", cert != nullptr ? domain::ToString(cert->hold) : "?"},
                    {"last_error", cert != nullptr ? cert->last_error : ""}});
    }
  }
  return flagged;
}

void Processor::UpdateGauges() {
  if (auto rows = queue_.OutboxBacklog(); rows.ok()) {
    metrics_.outbox_backlog.Set(static_cast<double>(*rows));
  }
  if (auto rows = queue_.StuckOrders(); rows.ok()) {
    metrics_.stuck.Set(static_cast<double>(*rows));
  }
}

int Processor::PurgeOld(int limit) {
  const absl::Time now = clock_.Now();
  auto purged =
      queue_.Purge(now - options_.outbox_retention, now - options_.request_id_retention, limit);
  if (!purged.ok()) {
    log::Warning("purge failed", {{"error", purged.status()}});
    return 0;
  }
  if (*purged > 0) {
    log::Info("purged finished rows", {{"rows", *purged}});
  }
  return static_cast<int>(*purged);
}

}  // namespace sslpanel::workflow::app
