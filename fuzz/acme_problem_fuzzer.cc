// RFC 8555 problem documents and Retry-After headers from an ACME CA, through
// the mapping that decides whether a call is retried or given up. The first
// byte picks the HTTP status and how a 404 is read; the rest is the body.
#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  using namespace sslpanel::ca::acme;
  if (size == 0) {
    return 0;
  }
  static constexpr int kStatuses[] = {400, 401, 403, 404, 405, 409, 413, 415,
                                      429, 500, 502, 503, 200, 201, 302, 0};
  const int status = kStatuses[data[0] % 16];
  const NotFoundMeans not_found =
      (data[0] & 0x10) != 0 ? NotFoundMeans::kGone : NotFoundMeans::kCaUnavailable;
  const std::string body = sslpanel::fuzz::Text(data + 1, size - 1);
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  const std::optional<absl::Duration> retry_after = ParseRetryAfter(body, now);
  const Problem problem = ParseProblem(status, body);
  const absl::Status mapped = ProblemToStatus(problem, "new order", retry_after, not_found);
  (void)ProblemType(mapped);
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded()) {
    (void)DescribeProblem(doc);
  }
  return 0;
}
