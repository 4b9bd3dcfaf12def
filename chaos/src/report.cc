#include "chaos/src/report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sslpanel::chaos {
namespace {

// Nearest-rank p99; "-" without samples.
std::string P99(std::vector<absl::Duration> samples) {
  if (samples.empty()) {
    return "-";
  }
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(samples.size())));
  rank = std::clamp<size_t>(rank, 1, samples.size());
  return absl::StrFormat("%.2f s", absl::ToDoubleSeconds(samples[rank - 1]));
}

std::string Took(absl::Duration d) {
  const int64_t s = absl::ToInt64Seconds(d);
  return absl::StrFormat("%dm%02ds", s / 60, s % 60);
}

}  // namespace

std::string FormatTable(const std::vector<ScenarioResult>& results) {
  std::string out = absl::StrFormat(
      "| %-6s | %-26s | %10s | %6s | %4s | %10s | %15s | %19s | %17s | %10s | %6s | %6s |\n",
      "scen.", "fault", "operations", "faults", "lost", "duplicated", "dropped intents",
      "illegal transitions", "p99 restart->ok", "unfinished", "other", "took");
  absl::StrAppend(&out, "|", std::string(8, '-'), "|", std::string(28, '-'), "|",
                  std::string(12, '-'), "|", std::string(8, '-'), "|", std::string(6, '-'), "|",
                  std::string(12, '-'), "|", std::string(17, '-'), "|", std::string(21, '-'), "|",
                  std::string(19, '-'), "|", std::string(12, '-'), "|", std::string(8, '-'), "|",
                  std::string(8, '-'), "|\n");
  for (const ScenarioResult& r : results) {
    absl::StrAppend(
        &out,
        absl::StrFormat(
            "| %-6s | %-26s | %10d | %6d | %4d | %10d | %15d | %19d | %17s | %10d | %6d | "
            "%6s |\n",
            r.name, r.fault, r.operations, r.faults, r.verdict.lost, r.verdict.duplicated,
            r.verdict.dropped, r.verdict.illegal,
            P99(r.recovery) +
                (r.never_recovered > 0 ? absl::StrCat(" (", r.never_recovered, " never)") : ""),
            r.verdict.unfinished, r.other, Took(r.took)));
  }
  return out;
}

std::string FormatNotes(const std::vector<ScenarioResult>& results) {
  std::string out;
  for (const ScenarioResult& r : results) {
    absl::StrAppend(&out, r.name, r.Failed() ? " FAILED" : " ok", ":\n");
    for (const std::string& note : r.notes) {
      absl::StrAppend(&out, "  ", note, "\n");
    }
    for (const std::string& example : r.verdict.examples) {
      absl::StrAppend(&out, "  ", example, "\n");
    }
  }
  return out;
}

}  // namespace sslpanel::chaos
