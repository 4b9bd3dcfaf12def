#include "ca-adapter/src/domain/retry_after.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/types/optional.h"

namespace sslpanel::ca::domain {

absl::Status WithRetryAfter(absl::Status status, absl::Duration delay) {
  int64_t seconds = absl::ToInt64Seconds(absl::Ceil(delay, absl::Seconds(1)));
  if (seconds < 1) {
    seconds = 1;
  }
  status.SetPayload(kRetryAfterKey, absl::Cord(std::to_string(seconds)));
  return status;
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  const absl::optional<absl::Cord> payload = status.GetPayload(kRetryAfterKey);
  if (!payload.has_value()) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &seconds) || seconds < 0) {
    return std::nullopt;
  }
  return absl::Seconds(seconds);
}

}  // namespace sslpanel::ca::domain
