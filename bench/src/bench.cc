#include "bench/src/bench.h"

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sslpanel::bench {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Progress(const std::string& line) {
  std::cerr << absl::FormatTime("%H:%M:%S ", absl::Now(), absl::LocalTimeZone()) << line
            << std::endl;
}

[[noreturn]] void Fail(const std::string& what, const absl::Status& status) {
  throw Failure{absl::StrCat(what, ": ", status.ToString())};
}

LoadOptions Bench::Options(const std::string& name, int concurrency, double rate) const {
  LoadOptions o;
  o.name = name;
  o.concurrency = concurrency;
  o.rate = rate;
  o.warmup = warmup;
  o.duration = duration;
  return o;
}

void Bench::Add(const std::string& line) {
  summary.push_back(line);
  std::cout << line << std::endl;
}

}  // namespace sslpanel::bench
