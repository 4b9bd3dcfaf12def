// How an adapter tells its caller when to come back: RESOURCE_EXHAUSTED (or
// UNAVAILABLE) carrying a delay. Inside the service the delay rides on the
// absl::Status as a payload; the gRPC layer turns it into the trailing
// metadata entry "retry-after-seconds" that ca.proto documents.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::ca::domain {

inline constexpr absl::string_view kRetryAfterKey = "retry-after-seconds";

// `status` with the delay attached (rounded up to whole seconds, at least 1).
absl::Status WithRetryAfter(absl::Status status, absl::Duration delay);

// The delay attached to `status`, if any.
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

}  // namespace sslpanel::ca::domain
