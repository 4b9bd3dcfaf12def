#include "bench/src/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sslpanel::bench {

nlohmann::json ToJson(const LatencyStats& stats) {
  return {{"count", stats.count},   {"mean_us", stats.mean_us}, {"p50_us", stats.p50_us},
          {"p90_us", stats.p90_us}, {"p99_us", stats.p99_us},   {"max_us", stats.max_us}};
}

nlohmann::json ToJson(const LoadReport& report) {
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [code, count] : report.errors) {
    errors[code] = count;
  }
  nlohmann::json out = {{"name", report.name},
                        {"mode", report.mode},
                        {"concurrency", report.concurrency},
                        {"seconds", report.seconds},
                        {"completed", report.completed},
                        {"ok", report.ok},
                        {"qps", report.qps},
                        {"latency", ToJson(report.latency)},
                        {"errors", errors}};
  if (report.mode == "open") {
    out["offered_rate"] = report.offered_rate;
    out["not_sent"] = report.not_sent;
  }
  return out;
}

std::string FormatTable(const std::vector<LoadReport>& reports) {
  std::string out =
      absl::StrFormat("%-28s %-6s %5s %10s %9s %9s %9s %9s  %s\n", "name", "mode", "conc", "qps",
                      "p50_us", "p90_us", "p99_us", "max_us", "errors");
  for (const LoadReport& r : reports) {
    std::vector<std::string> errors;
    for (const auto& [code, count] : r.errors) {
      errors.push_back(absl::StrCat(code, "=", count));
    }
    if (r.not_sent > 0) {
      errors.push_back(absl::StrCat("not_sent=", r.not_sent));
    }
    const std::string mode =
        r.mode == "open" ? absl::StrFormat("@%.0f/s", r.offered_rate) : std::string("closed");
    absl::StrAppendFormat(&out, "%-28s %-6s %5d %10.0f %9.0f %9.0f %9.0f %9.0f  %s\n", r.name, mode,
                          r.concurrency, r.qps, r.latency.p50_us, r.latency.p90_us,
                          r.latency.p99_us, r.latency.max_us,
                          errors.empty() ? "-" : absl::StrJoin(errors, " "));
  }
  return out;
}

double Median(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace sslpanel::bench
