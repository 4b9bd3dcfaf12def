// Reports of load runs: a fixed-width table for people and JSON for files.
#pragma once

#include <string>
#include <vector>

#include "bench/src/load.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

nlohmann::json ToJson(const LatencyStats& stats);
nlohmann::json ToJson(const LoadReport& report);

// One line per report: name, mode, concurrency, QPS, p50/p90/p99/max in
// microseconds, errors by code.
std::string FormatTable(const std::vector<LoadReport>& reports);

// The median of `values` (the mean of the middle two for an even count); 0
// when empty.
double Median(std::vector<double> values);

}  // namespace sslpanel::bench
