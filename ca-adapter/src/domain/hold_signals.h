// Two retryable answers that the workflow shows as a hold on the certificate
// (ca.proto, service comment). Inside the adapter they ride on the
// absl::Status as payloads, like the retry-after delay (retry_after.h); the
// gRPC layer turns each into the trailing metadata entry of the same name.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sslpanel::ca::domain {

inline constexpr absl::string_view kOutcomeUnknownKey = "ca-outcome-unknown";
inline constexpr absl::string_view kAccountProblemKey = "ca-account-problem";

// A submission was sent, its answer was lost, and the CA cannot be searched
// for it with certainty: UNAVAILABLE carrying the reason. Never resent
// blindly; ResolveSubmission settles it.
absl::Status OutcomeUnknown(absl::string_view reason);

// The CA refused for a reason of the reseller account (bad login, no credit,
// unpaid): UNAVAILABLE carrying the reason. Never a final refusal of the
// customer's order.
absl::Status AccountProblem(absl::string_view reason);

// The reason attached under `key` (kOutcomeUnknownKey or kAccountProblemKey).
std::optional<std::string> HoldSignal(const absl::Status& status, absl::string_view key);

}  // namespace sslpanel::ca::domain
