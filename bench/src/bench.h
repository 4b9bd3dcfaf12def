// One sslpanel-bench run: its settings (from the flags, parsed in
// bench_main.cc), the processes every scenario measures, the results it
// collects, and how a failure ends it.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/src/load.h"
#include "common/mysql/mysql.h"
#include "integration-tests/harness.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

// The steady clock in nanoseconds.
int64_t NowNs();

// A time-stamped progress line on stderr.
void Progress(const std::string& line);

// Thrown to end the run; unwinding stops every process the run started.
struct Failure {
  std::string message;
};

[[noreturn]] void Fail(const std::string& what, const absl::Status& status);

template <typename T>
T Must(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) {
    Fail(what, value.status());
  }
  return *std::move(value);
}

struct Bench {
  int rounds;
  absl::Duration warmup;
  absl::Duration duration;
  mysql::MysqlConfig server;  // SSLPANEL_TEST_MYSQL, no database
  pid_t mariadbd = 0;
  pid_t self = getpid();
  // Settings of single scenarios.
  double g2_rate = 0;                 // G2: GetOrder calls per second (open loop)
  int lifecycles_in_flight = 0;       // P3: lifecycles kept in flight (closed loop)
  absl::Duration sustain_duration;    // P3: length of the open-loop run
  std::string baseline_workflow_bin;  // P1/P2 also against this binary when set
  nlohmann::json results;
  std::vector<std::string> summary;
  std::unique_ptr<integration::RunningService> echo;

  LoadOptions Options(const std::string& name, int concurrency, double rate = 0) const;
  void Add(const std::string& line);
};

}  // namespace sslpanel::bench
