// The load generator: unary gRPC calls from an async CompletionQueue client,
// either closed loop (N calls in flight, a new one as soon as one finishes)
// or open loop (calls started at a fixed rate whatever the latency, latency
// measured from each call's scheduled start so a slow server cannot hide its
// queueing). A warm-up comes first; only the measurement window counts.
//
// It sends pre-serialised requests through grpc::GenericStub, so one engine
// drives any method and the client spends no time on protobuf.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace sslpanel::bench {

struct LoadOptions {
  std::string name;
  // Closed loop: the calls kept in flight. Open loop: the most in flight at
  // once; a scheduled call that finds this many still running is counted as
  // not sent (the client's queue is full: the target is overloaded).
  int concurrency = 1;
  // > 0: open loop, calls started per second; 0: closed loop.
  double rate = 0;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(3);
  absl::Duration call_timeout = absl::Seconds(10);
  // Client threads, each with its own completion queue and an equal share of
  // the concurrency and the rate.
  int threads = 1;
  // Called when the measurement window starts and ends (from a timer
  // thread), e.g. to read CPU counters over exactly that window.
  std::function<void()> at_measure_start;
  std::function<void()> at_measure_end;
};

// The request of call number `seq` (0, 1, ... over the run, warm-up included).
using RequestFn = std::function<grpc::ByteBuffer(int64_t seq)>;
// Called with every finished call (warm-up included) on the client thread
// that ran it; must be thread-safe when threads > 1.
using ResponseFn =
    std::function<void(int64_t seq, const grpc::Status& status, const grpc::ByteBuffer& response)>;

struct LatencyStats {
  int64_t count = 0;
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
};

// Exact percentiles (nearest rank) of latencies in nanoseconds.
LatencyStats Summarize(std::vector<int64_t> latencies_ns);

struct LoadReport {
  std::string name;
  std::string mode;  // "closed" or "open"
  int concurrency = 0;
  double offered_rate = 0;  // open loop only
  double seconds = 0;       // length of the measurement window
  // Calls that finished inside the window (any status), and those with OK.
  int64_t completed = 0;
  int64_t ok = 0;
  // OK calls finished per second of the window.
  double qps = 0;
  // Of the OK calls scheduled inside the window (followed until they finish).
  LatencyStats latency;
  // Non-OK calls scheduled inside the window, by status code name.
  std::map<std::string, int64_t> errors;
  // Open loop: scheduled calls not sent because `concurrency` were in flight.
  int64_t not_sent = 0;
};

// Runs `method` ("/package.Service/Method") on `channel` as `options` say.
LoadReport RunLoad(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                   const LoadOptions& options, const RequestFn& request,
                   const ResponseFn& on_response = nullptr);

// "OK", "UNAVAILABLE", ... for a gRPC status code.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace sslpanel::bench
