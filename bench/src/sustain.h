// P3's open loop: lifecycles offered at a fixed rate to a whole system, with
// the backlog sampled and the CPU of every process per lifecycle finished.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "bench/src/bench.h"
#include "bench/src/lifecycle.h"
#include "bench/src/load.h"
#include "integration-tests/system.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

struct SustainResult {
  double rate = 0;          // offered lifecycles per second
  double active_per_s = 0;  // lifecycles that reached ACTIVE per second
  double outbox_slope = 0;  // least-squares slope of the outbox backlog, per second
  double unfinished_slope = 0;
  int64_t outbox_max = 0;
  int64_t unfinished_max = 0;
  bool flat = false;     // both slopes under 2 % of the rate
  bool kept_up = false;  // 95 % of the offered rate finished
  bool drained = false;
  int64_t not_sent = 0;
  double foreign_cores = 0;
  // CPU microseconds per lifecycle that reached ACTIVE, by process.
  double server_us = 0;
  double sandbox_us = 0;
  double mariadbd_us = 0;
  nlohmann::json json;
};

// Offers `rate` lifecycles per second to `system` for b.sustain_duration
// (after 2 s of warm-up); `tracker` watches the system's database.
SustainResult Sustain(Bench& b, integration::System& system, LifecycleTracker& tracker, double rate,
                      const std::string& tag);

}  // namespace sslpanel::bench
