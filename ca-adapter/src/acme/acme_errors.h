// What an ACME server's answers mean for our caller: RFC 8555 section 6.7
// problem documents mapped to status codes that say whether to retry
// (UNAVAILABLE, RESOURCE_EXHAUSTED with a retry-after) or give up
// (INVALID_ARGUMENT, FAILED_PRECONDITION), and the Retry-After header.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::ca::acme {

inline constexpr absl::string_view kErrorPrefix = "urn:ietf:params:acme:error:";

struct Problem {
  std::string type;    // without kErrorPrefix, e.g. "badNonce"; "" when absent
  std::string detail;  // human-readable
  int http_status = 0;
};

// Reads a problem document; an answer that is not one yields only the HTTP
// status.
Problem ParseProblem(int http_status, absl::string_view body);

// The status a problem maps to; `what` names the request ("new order"),
// `retry_after` is the server's Retry-After, if it sent one.
absl::Status ProblemToStatus(const Problem& problem, absl::string_view what,
                             std::optional<absl::Duration> retry_after);

// The ACME problem type (without kErrorPrefix) a status from
// ProblemToStatus carries, e.g. "alreadyRevoked"; "" for other statuses.
std::string ProblemType(const absl::Status& status);

// The problem's text for a refusal reason: detail, else its type.
std::string DescribeProblem(const nlohmann::json& problem);

// RFC 9110 section 10.2.3: delay-seconds or an HTTP-date (relative to
// `now`). Absent or unreadable: nullopt; a date in the past: zero.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

}  // namespace sslpanel::ca::acme
