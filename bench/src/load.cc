#include "bench/src/load.h"

#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace sslpanel::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// gRPC takes system_clock deadlines only; converts a steady-clock instant.
std::chrono::system_clock::time_point SystemTimeOf(int64_t steady_ns) {
  const int64_t delta = steady_ns - NowNs();
  return std::chrono::system_clock::now() + std::chrono::nanoseconds(delta);
}

struct Call {
  grpc::ClientContext context;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  int64_t seq = 0;
  int64_t scheduled_ns = 0;
};

// What one client thread saw.
struct Tally {
  int64_t completed = 0;
  int64_t ok = 0;
  int64_t not_sent = 0;
  std::vector<int64_t> latencies_ns;
  std::map<std::string, int64_t> errors;
};

struct Window {
  int64_t begin_ns;    // warm-up starts
  int64_t measure_ns;  // measurement starts
  int64_t end_ns;      // measurement ends; no call starts after it
};

void RunThread(grpc::GenericStub& stub, const std::string& method, const LoadOptions& options,
               int concurrency, double rate, int thread_index, int threads, const Window& window,
               const RequestFn& request, const ResponseFn& on_response, Tally* tally) {
  grpc::CompletionQueue cq;
  int in_flight = 0;
  // Call numbers interleave across threads: thread i uses i, i + threads, ...
  int64_t next_seq = thread_index;
  const bool open = rate > 0;
  const double period_ns = open ? 1e9 / rate : 0;
  // Open loop: thread i starts i/threads of a period later, so the threads'
  // schedules interleave evenly.
  double next_send_ns =
      static_cast<double>(window.begin_ns) + period_ns * thread_index / std::max(threads, 1);
  tally->latencies_ns.reserve(1 << 16);

  auto start_call = [&](int64_t scheduled_ns) {
    auto* call = new Call();
    call->seq = next_seq;
    next_seq += threads;
    call->scheduled_ns = scheduled_ns;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               absl::ToChronoNanoseconds(options.call_timeout));
    call->reader = stub.PrepareUnaryCall(&call->context, method, request(call->seq), &cq);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    ++in_flight;
  };

  if (!open) {
    for (int i = 0; i < concurrency; ++i) {
      start_call(NowNs());
    }
  }
  while (true) {
    int64_t now = NowNs();
    if (open) {
      while (next_send_ns <= static_cast<double>(now) &&
             next_send_ns < static_cast<double>(window.end_ns)) {
        const auto scheduled = static_cast<int64_t>(next_send_ns);
        if (in_flight < concurrency) {
          start_call(scheduled);
        } else if (scheduled >= window.measure_ns) {
          ++tally->not_sent;
        }
        next_send_ns += period_ns;
      }
    }
    if (in_flight == 0 &&
        (!open || next_send_ns >= static_cast<double>(window.end_ns) || now >= window.end_ns)) {
      break;
    }
    void* tag = nullptr;
    bool ok = false;
    if (open && next_send_ns < static_cast<double>(window.end_ns)) {
      const auto status = cq.AsyncNext(&tag, &ok, SystemTimeOf(static_cast<int64_t>(next_send_ns)));
      if (status == grpc::CompletionQueue::TIMEOUT) {
        continue;
      }
      if (status == grpc::CompletionQueue::SHUTDOWN) {
        break;
      }
    } else if (!cq.Next(&tag, &ok)) {
      break;
    }
    auto* call = static_cast<Call*>(tag);
    --in_flight;
    now = NowNs();
    const bool ok_status = call->status.ok();
    if (now >= window.measure_ns && now < window.end_ns) {
      ++tally->completed;
      if (ok_status) {
        ++tally->ok;
      }
    }
    if (call->scheduled_ns >= window.measure_ns && call->scheduled_ns < window.end_ns) {
      if (ok_status) {
        tally->latencies_ns.push_back(now - call->scheduled_ns);
      } else {
        ++tally->errors[StatusCodeName(call->status.error_code())];
      }
    }
    if (on_response) {
      on_response(call->seq, call->status, call->response);
    }
    delete call;
    if (!open && now < window.end_ns) {
      start_call(now);
    }
  }
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "CODE_" + std::to_string(static_cast<int>(code));
  }
}

LatencyStats Summarize(std::vector<int64_t> latencies_ns) {
  LatencyStats stats;
  stats.count = static_cast<int64_t>(latencies_ns.size());
  if (latencies_ns.empty()) {
    return stats;
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto rank = [&](double q) {
    // Nearest rank: the smallest value with at least q of the samples <= it.
    const auto n = latencies_ns.size();
    size_t index = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
    index = std::clamp<size_t>(index, 1, n) - 1;
    return static_cast<double>(latencies_ns[index]) / 1000.0;
  };
  double sum = 0;
  for (int64_t v : latencies_ns) {
    sum += static_cast<double>(v);
  }
  stats.mean_us = sum / static_cast<double>(latencies_ns.size()) / 1000.0;
  stats.p50_us = rank(0.50);
  stats.p90_us = rank(0.90);
  stats.p99_us = rank(0.99);
  stats.max_us = static_cast<double>(latencies_ns.back()) / 1000.0;
  return stats;
}

LoadReport RunLoad(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                   const LoadOptions& options, const RequestFn& request,
                   const ResponseFn& on_response) {
  const int threads = std::max(1, options.threads);
  grpc::GenericStub stub(channel);
  Window window;
  window.begin_ns = NowNs();
  window.measure_ns = window.begin_ns + absl::ToInt64Nanoseconds(options.warmup);
  window.end_ns = window.measure_ns + absl::ToInt64Nanoseconds(options.duration);

  std::vector<Tally> tallies(threads);
  std::vector<std::thread> workers;
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::nanoseconds(window.measure_ns - NowNs()));
    if (options.at_measure_start) {
      options.at_measure_start();
    }
    std::this_thread::sleep_for(std::chrono::nanoseconds(window.end_ns - NowNs()));
    if (options.at_measure_end) {
      options.at_measure_end();
    }
  });
  for (int t = 0; t < threads; ++t) {
    // Shares of the concurrency that add up to the whole.
    const int concurrency = options.concurrency / threads + (t < options.concurrency % threads);
    workers.emplace_back([&, t, concurrency] {
      RunThread(stub, method, options, std::max(concurrency, 1), options.rate / threads, t, threads,
                window, request, on_response, &tallies[t]);
    });
  }
  for (std::thread& worker : workers) {
    worker.join();
  }
  timer.join();

  LoadReport report;
  report.name = options.name;
  report.mode = options.rate > 0 ? "open" : "closed";
  report.concurrency = options.concurrency;
  report.offered_rate = options.rate;
  report.seconds = absl::ToDoubleSeconds(options.duration);
  std::vector<int64_t> latencies;
  for (Tally& tally : tallies) {
    report.completed += tally.completed;
    report.ok += tally.ok;
    report.not_sent += tally.not_sent;
    latencies.insert(latencies.end(), tally.latencies_ns.begin(), tally.latencies_ns.end());
    for (const auto& [code, count] : tally.errors) {
      report.errors[code] += count;
    }
  }
  report.qps = report.seconds > 0 ? static_cast<double>(report.ok) / report.seconds : 0;
  report.latency = Summarize(std::move(latencies));
  return report;
}

}  // namespace sslpanel::bench
