#include "ca-adapter/src/app/retry_policy.h"

#include <algorithm>

namespace sslpanel::ca::app {

absl::Duration RetryPolicy::Backoff(int attempt, double unit_random) const {
  absl::Duration delay = initial_backoff;
  for (int i = 1; i < attempt && delay < max_backoff; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, max_backoff);
  return delay * (0.5 + 0.5 * std::clamp(unit_random, 0.0, 1.0));
}

bool IsRetryable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return true;
    default:
      return false;
  }
}

}  // namespace sslpanel::ca::app
