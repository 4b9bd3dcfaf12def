// What the printed lines say about a scenario's rounds: medians, the ratio
// of each round to its partner and their range, CPU per operation, and
// whether a target was met.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "bench/src/rounds.h"

namespace sslpanel::bench {

// Medians over rounds.
double MedianOf(const std::vector<Round>& rounds, double (*field)(const Round&));
double Qps(const Round& r);
double P99(const Round& r);
double P50(const Round& r);

// "lo-hi" of `values`, each printed with `format`; "-" when empty.
std::string Range(const std::vector<double>& values, const char* format);

// field(a[i]) / field(b[i]) for each round both have; 0 where b's is 0.
std::vector<double> Ratios(const std::vector<Round>& a, const std::vector<Round>& b,
                           double (*field)(const Round&));

// The most foreign cores any round of `sets` saw.
double MaxForeign(std::initializer_list<const std::vector<Round>*> sets);

// The median CPU microseconds per operation of `process` over `rounds`.
double MedianCpu(const std::vector<Round>& rounds, const std::string& process);

// "CPU us/op: client 12, server 34, ..."
std::string CpuLine(const std::vector<Round>& rounds, const std::vector<std::string>& processes);

// "MET " or "MISS".
std::string Mark(bool met);

}  // namespace sslpanel::bench
