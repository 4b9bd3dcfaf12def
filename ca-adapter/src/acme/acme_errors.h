// What an ACME server's answers mean for our caller: RFC 8555 section 6.7
// problem documents mapped to status codes that say whether to retry
// (UNAVAILABLE, RESOURCE_EXHAUSTED with a retry-after) or give up
// (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND), and the Retry-After
// header. Only a problem with the customer's request may give up: trouble
// with the CA, our account or our configuration is UNAVAILABLE, because the
// adapter stores a give-up answer as the idempotency key's answer for ever.
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
  // Set when the body is a problem document with wrongly typed members: what
  // is wrong with it (the answer is then UNAVAILABLE, never a refusal).
  std::string unreadable;
};

// What an HTTP 404 means for the request that got it.
enum class NotFoundMeans {
  // The CA lost or moved a resource we rely on (directory, newOrder, an
  // account or orders list): a CA or configuration problem, UNAVAILABLE.
  kCaUnavailable,
  // The request names one resource that may be gone: an order being looked
  // up (the caller's NOT_FOUND: no such order), an authorization being
  // deactivated (gone counts as done).
  kGone,
};

// Account-level problems (accountDoesNotExist, unauthorized,
// userActionRequired, externalAccountRequired): ours to fix, never the
// customer's, so they map to UNAVAILABLE.
bool IsAccountProblem(absl::string_view type);

// Reads a problem document; an answer that is not one yields only the HTTP
// status.
Problem ParseProblem(int http_status, absl::string_view body);

// The status a problem maps to; `what` names the request ("new order"),
// `retry_after` is the server's Retry-After, if it sent one.
absl::Status ProblemToStatus(const Problem& problem, absl::string_view what,
                             std::optional<absl::Duration> retry_after,
                             NotFoundMeans not_found = NotFoundMeans::kCaUnavailable);

// The ACME problem type (without kErrorPrefix) a status from
// ProblemToStatus carries, e.g. "alreadyRevoked"; "" for other statuses.
std::string ProblemType(const absl::Status& status);

// The problem's text for a refusal reason: detail, else its type (never
// throws, whatever the JSON holds).
std::string DescribeProblem(const nlohmann::json& problem);

// RFC 9110 section 10.2.3: delay-seconds or an HTTP-date (relative to
// `now`). Absent or unreadable: nullopt; a date in the past: zero.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

}  // namespace sslpanel::ca::acme
