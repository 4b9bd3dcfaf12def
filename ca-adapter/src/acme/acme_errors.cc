#include "ca-adapter/src/acme/acme_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ca-adapter/src/domain/retry_after.h"

namespace sslpanel::ca::acme {
namespace {

// Used when the CA limits us without saying for how long.
constexpr absl::Duration kDefaultRateLimitDelay = absl::Seconds(60);

constexpr absl::string_view kProblemTypePayload = "acme-problem-type";

absl::Status Tagged(absl::Status status, const Problem& problem) {
  if (!problem.type.empty()) {
    status.SetPayload(kProblemTypePayload, absl::Cord(problem.type));
  }
  return status;
}

absl::Status Map(const Problem& problem, const std::string& message,
                 std::optional<absl::Duration> retry_after, NotFoundMeans not_found) {
  const std::string& type = problem.type;
  if (type == "rateLimited" || problem.http_status == 429) {
    return domain::WithRetryAfter(absl::ResourceExhaustedError(message),
                                  retry_after.value_or(kDefaultRateLimitDelay));
  }
  if (!problem.unreadable.empty() || type == "badNonce" || type == "serverInternal" ||
      problem.http_status >= 500) {
    absl::Status status = absl::UnavailableError(message);
    return retry_after.has_value() ? domain::WithRetryAfter(status, *retry_after) : status;
  }
  if (IsAccountProblem(type)) {
    // Nothing the customer's request can change: the operator fixes the
    // account or its configuration (or the backend registers the key again
    // for accountDoesNotExist), and the same key then goes through.
    return absl::UnavailableError(message);
  }
  if (problem.http_status == 404) {
    // Pebble and Boulder answer an unknown order with 404 "malformed"; the
    // type says nothing about our request then.
    return not_found == NotFoundMeans::kGone ? absl::NotFoundError(message)
                                             : absl::UnavailableError(message);
  }
  // The request itself is wrong for this CA: retrying cannot help.
  if (type == "badCSR" || type == "malformed" || type == "rejectedIdentifier" ||
      type == "unsupportedIdentifier" || type == "badRevocationReason" ||
      type == "badSignatureAlgorithm" || type == "badPublicKey" || type == "invalidContact" ||
      type == "unsupportedContact" || type == "caa" || type == "compound") {
    return absl::InvalidArgumentError(message);
  }
  // orderNotReady, alreadyRevoked and the rest: not in this state.
  return absl::FailedPreconditionError(message);
}

// A string member: absent is "", another type is an error message.
bool StringMember(const nlohmann::json& object, const char* name, std::string& out,
                  std::string& error) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    out.clear();
    return true;
  }
  if (!it->is_string()) {
    error = absl::StrCat("\"", name, "\" is ", it->type_name(), ", not a string");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

}  // namespace

bool IsAccountProblem(absl::string_view type) {
  return type == "accountDoesNotExist" || type == "unauthorized" || type == "userActionRequired" ||
         type == "externalAccountRequired";
}

Problem ParseProblem(int http_status, absl::string_view body) {
  Problem problem;
  problem.http_status = http_status;
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    std::string type;
    if (!StringMember(doc, "type", type, problem.unreadable) ||
        !StringMember(doc, "detail", problem.detail, problem.unreadable)) {
      problem.detail.clear();
      return problem;
    }
    absl::string_view short_type = type;
    absl::ConsumePrefix(&short_type, kErrorPrefix);
    problem.type = std::string(short_type);
  }
  return problem;
}

absl::Status ProblemToStatus(const Problem& problem, absl::string_view what,
                             std::optional<absl::Duration> retry_after, NotFoundMeans not_found) {
  std::string message =
      absl::StrCat("ACME ", what, ": ", problem.type.empty() ? "error" : problem.type, " (HTTP ",
                   problem.http_status, ")", problem.detail.empty() ? "" : ": ", problem.detail);
  if (!problem.unreadable.empty()) {
    absl::StrAppend(&message, ": unreadable problem document (", problem.unreadable, ")");
  }
  return Tagged(Map(problem, message, retry_after, not_found), problem);
}

std::string ProblemType(const absl::Status& status) {
  const absl::optional<absl::Cord> type = status.GetPayload(kProblemTypePayload);
  return type.has_value() ? std::string(*type) : std::string();
}

std::string DescribeProblem(const nlohmann::json& problem) {
  if (!problem.is_object()) {
    return "";
  }
  std::string detail, type, error;
  if (!StringMember(problem, "detail", detail, error) ||
      !StringMember(problem, "type", type, error)) {
    return absl::StrCat("the CA's problem document is unreadable (", error, ")");
  }
  if (!detail.empty()) {
    return detail;
  }
  absl::string_view short_type = type;
  absl::ConsumePrefix(&short_type, kErrorPrefix);
  return std::string(short_type);
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    return seconds >= 0 ? std::optional<absl::Duration>(absl::Seconds(seconds)) : std::nullopt;
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(), &when, &error)) {
    return when > now ? when - now : absl::ZeroDuration();
  }
  return std::nullopt;
}

}  // namespace sslpanel::ca::acme
