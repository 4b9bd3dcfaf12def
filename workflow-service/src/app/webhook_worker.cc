#include "workflow-service/src/app/webhook_worker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "workflow-service/src/app/webhook_signing.h"

namespace sslpanel::workflow::app {

absl::StatusOr<std::vector<ClaimedDelivery>> WebhookWorker::Claim(int limit) {
  return store_.ClaimDue(clock_.Now(), limit, options_.lease(), options_.owner);
}

void WebhookWorker::Attempt(const ClaimedDelivery& delivery) {
  const absl::Time started = clock_.Now();
  const absl::Time deadline = domain::DeadlineFor(delivery.dead_at, started, options_.retry);
  WebhookAnswer answer;
  auto headers = WebhookHeaders(absl::StrCat(delivery.id), absl::ToUnixSeconds(started),
                                delivery.payload, delivery.secrets);
  if (headers.ok()) {
    WebhookPost post;
    post.url = delivery.url;
    post.headers = *std::move(headers);
    post.headers.emplace_back("content-type", "application/json");
    post.body = delivery.payload;
    post.timeout = options_.timeout;
    answer = sender_.Post(post);
  } else {
    answer.error = absl::StrCat("not signed: ", headers.status().message());
  }
  const bool success = domain::IsSuccess(answer.http_status);
  if (!success && answer.error.empty()) {
    answer.error = absl::StrCat("HTTP ", answer.http_status);
  }
  const absl::Time now = clock_.Now();
  const domain::AfterAttempt next = domain::DecideAfterAttempt(
      answer.http_status, delivery.attempts, deadline, now, options_.retry, jitter_());
  AttemptRecord record;
  record.status = next.status;
  record.next_attempt_at = next.next_attempt_at;
  record.dead_at = deadline;
  record.attempted_at = started;
  record.http_status = answer.http_status;
  record.error = success ? "" : answer.error;
  switch (next.status) {
    case domain::DeliveryStatus::kDelivered:
      metrics_.attempts.Add({{"outcome", "delivered"}}).Increment();
      metrics_.delivery_lag.Observe(
          std::max(0.0, absl::ToDoubleSeconds(now - delivery.created_at)));
      break;
    case domain::DeliveryStatus::kDead:
      metrics_.attempts.Add({{"outcome", "dead"}}).Increment();
      metrics_.dead.Increment();
      break;
    default:
      metrics_.attempts.Add({{"outcome", "retry"}}).Increment();
  }
  if (!success) {
    metrics_.failures.Add({{"kind", answer.http_status == 0 ? "transport" : "http"}}).Increment();
  }
  if (absl::Status s = store_.FinishAttempt(delivery.id, record); !s.ok()) {
    log::Warning("webhook attempt not recorded; it is tried again when its lease runs out",
                 {{"delivery_id", delivery.id}, {"error", s}});
  }
}

}  // namespace sslpanel::workflow::app
