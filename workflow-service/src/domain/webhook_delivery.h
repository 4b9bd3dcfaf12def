// Webhook deliveries as decisions: when a failed attempt is tried again,
// when it is given up (DEAD), which deliveries may go out (strictly in event
// order per subscription and order) and what an operator may do to one.
// Pure; storage and the workers apply what is decided here.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::workflow::domain {

enum class DeliveryStatus { kPending, kDelivered, kDead, kDismissed };

absl::string_view ToString(DeliveryStatus status);
bool Parse(absl::string_view text, DeliveryStatus* status);

struct RetryPolicy {
  absl::Duration retry_min = absl::Seconds(5);  // after the first failure
  absl::Duration retry_max = absl::Hours(1);    // cap of the doubling
  absl::Duration dead_after = absl::Hours(24);  // since the first attempt
};

// Any 2xx answer is a success; everything else (no answer: 0) is a failure.
bool IsSuccess(int http_status);

// The wait after failed attempt number `attempts` (1 = the first):
// retry_min doubled per earlier failure, capped at retry_max, then scaled
// by 0.5 + jitter / 2 ("equal jitter": never less than half the step, so
// retries spread out without ever collapsing to zero). `jitter` in [0, 1].
absl::Duration Backoff(int attempts, const RetryPolicy& policy, double jitter);

// The deadline of a delivery about to be attempted: the stored one, or
// now + dead_after for its first attempt (or first after a redelivery).
absl::Time DeadlineFor(std::optional<absl::Time> stored, absl::Time now, const RetryPolicy& policy);

struct AfterAttempt {
  DeliveryStatus status = DeliveryStatus::kPending;
  // PENDING: when to try again (never after the deadline, so the last try
  // happens at it).
  absl::Time next_attempt_at;
};

// What attempt number `attempts` with answer `http_status` (0: none) leads
// to: DELIVERED on 2xx; DEAD when it failed at or after `deadline`; else
// PENDING again after Backoff.
AfterAttempt DecideAfterAttempt(int http_status, int attempts, absl::Time deadline, absl::Time now,
                                const RetryPolicy& policy, double jitter);

// An earlier delivery (lower event id) of the same subscription and order.
struct EarlierDelivery {
  int64_t delivery_id = 0;
  DeliveryStatus status = DeliveryStatus::kPending;
};

// A PENDING delivery may be attempted only when every earlier one of its
// subscription and order is DELIVERED or DISMISSED.
bool MayAttempt(const std::vector<EarlierDelivery>& earlier);

// The DEAD delivery holding this one back (the earliest), or 0.
int64_t BlockedBy(const std::vector<EarlierDelivery>& earlier);

// Dismissing is for DEAD deliveries only (FAILED_PRECONDITION naming the
// state otherwise); a redelivery is allowed from any state.
absl::Status CheckDismiss(DeliveryStatus status);

}  // namespace sslpanel::workflow::domain
