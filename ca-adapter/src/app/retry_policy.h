// Bounded retries with capped exponential backoff and jitter, for every call
// an adapter makes to its CA.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sslpanel::ca::app {

struct RetryPolicy {
  // Attempts in total, the first included.
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);

  // The pause after failed attempt number `attempt` (1-based): the capped
  // exponential delay scaled by a jitter factor in [0.5, 1) taken from
  // `unit_random` in [0, 1).
  absl::Duration Backoff(int attempt, double unit_random) const;
};

// Whether an error may be retried as it is (the same request, later).
bool IsRetryable(const absl::Status& status);

}  // namespace sslpanel::ca::app
