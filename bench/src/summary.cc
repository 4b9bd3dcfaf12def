#include "bench/src/summary.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/src/report.h"

namespace sslpanel::bench {
namespace {

double CpuUsPerOp(const Round& r, const std::string& process) {
  const nlohmann::json& p = r.cpu["processes"];
  return p.contains(process) && p[process].contains("cpu_us_per_op")
             ? p[process]["cpu_us_per_op"].get<double>()
             : 0;
}

}  // namespace

double MedianOf(const std::vector<Round>& rounds, double (*field)(const Round&)) {
  std::vector<double> values;
  for (const Round& r : rounds) {
    values.push_back(field(r));
  }
  return Median(values);
}
double Qps(const Round& r) { return r.report.qps; }
double P99(const Round& r) { return r.report.latency.p99_us; }
double P50(const Round& r) { return r.report.latency.p50_us; }

std::string Range(const std::vector<double>& values, const char* format) {
  if (values.empty()) {
    return "-";
  }
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return absl::StrCat(absl::StrFormat(format, *lo), "-", absl::StrFormat(format, *hi));
}

std::vector<double> Ratios(const std::vector<Round>& a, const std::vector<Round>& b,
                           double (*field)(const Round&)) {
  std::vector<double> out;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    out.push_back(field(b[i]) > 0 ? field(a[i]) / field(b[i]) : 0);
  }
  return out;
}

double MaxForeign(std::initializer_list<const std::vector<Round>*> sets) {
  double most = 0;
  for (const auto* set : sets) {
    for (const Round& r : *set) {
      most = std::max(most, r.foreign_cores);
    }
  }
  return most;
}

double MedianCpu(const std::vector<Round>& rounds, const std::string& process) {
  std::vector<double> values;
  for (const Round& r : rounds) {
    values.push_back(CpuUsPerOp(r, process));
  }
  return Median(values);
}

std::string CpuLine(const std::vector<Round>& rounds, const std::vector<std::string>& processes) {
  std::vector<std::string> parts;
  for (const std::string& p : processes) {
    parts.push_back(absl::StrFormat("%s %.0f", p, MedianCpu(rounds, p)));
  }
  return absl::StrCat("CPU us/op: ", absl::StrJoin(parts, ", "));
}

std::string Mark(bool met) { return met ? "MET " : "MISS"; }

}  // namespace sslpanel::bench
