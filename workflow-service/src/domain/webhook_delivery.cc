#include "workflow-service/src/domain/webhook_delivery.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::domain {

absl::string_view ToString(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending:
      return "PENDING";
    case DeliveryStatus::kDelivered:
      return "DELIVERED";
    case DeliveryStatus::kDead:
      return "DEAD";
    case DeliveryStatus::kDismissed:
      return "DISMISSED";
  }
  return "PENDING";
}

bool Parse(absl::string_view text, DeliveryStatus* status) {
  for (DeliveryStatus s : {DeliveryStatus::kPending, DeliveryStatus::kDelivered,
                           DeliveryStatus::kDead, DeliveryStatus::kDismissed}) {
    if (text == ToString(s)) {
      *status = s;
      return true;
    }
  }
  return false;
}

bool IsSuccess(int http_status) { return http_status >= 200 && http_status <= 299; }

absl::Duration Backoff(int attempts, const RetryPolicy& policy, double jitter) {
  absl::Duration step = policy.retry_min;
  // Doubling stops at the cap (and at 62 doublings, long before overflow).
  for (int i = 1; i < attempts && i < 62 && step < policy.retry_max; ++i) {
    step *= 2;
  }
  step = std::min(step, policy.retry_max);
  jitter = std::clamp(std::isfinite(jitter) ? jitter : 0.0, 0.0, 1.0);
  return step * (0.5 + jitter / 2);
}

absl::Time DeadlineFor(std::optional<absl::Time> stored, absl::Time now,
                       const RetryPolicy& policy) {
  return stored.has_value() ? *stored : now + policy.dead_after;
}

AfterAttempt DecideAfterAttempt(int http_status, int attempts, absl::Time deadline, absl::Time now,
                                const RetryPolicy& policy, double jitter) {
  if (IsSuccess(http_status)) {
    return {DeliveryStatus::kDelivered, now};
  }
  if (now >= deadline) {
    return {DeliveryStatus::kDead, now};
  }
  return {DeliveryStatus::kPending, std::min(now + Backoff(attempts, policy, jitter), deadline)};
}

bool MayAttempt(const std::vector<EarlierDelivery>& earlier) {
  return std::all_of(earlier.begin(), earlier.end(), [](const EarlierDelivery& e) {
    return e.status == DeliveryStatus::kDelivered || e.status == DeliveryStatus::kDismissed;
  });
}

int64_t BlockedBy(const std::vector<EarlierDelivery>& earlier) {
  for (const EarlierDelivery& e : earlier) {
    if (e.status == DeliveryStatus::kDead) {
      return e.delivery_id;
    }
  }
  return 0;
}

absl::Status CheckDismiss(DeliveryStatus status) {
  if (status == DeliveryStatus::kDead) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat("delivery is ", ToString(status), "; only a DEAD delivery can be dismissed"));
}

}  // namespace sslpanel::workflow::domain
