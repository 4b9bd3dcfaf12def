#include "common/grpc/metrics_interceptor.h"

#include <grpcpp/support/interceptor.h>
#include <grpcpp/support/status.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace sslpanel::grpc_util {
namespace {

constexpr int kCodes = 17;  // OK .. UNAUTHENTICATED

const char* CodeName(int code) {
  static const char* const kNames[kCodes] = {"OK",
                                             "CANCELLED",
                                             "UNKNOWN",
                                             "INVALID_ARGUMENT",
                                             "DEADLINE_EXCEEDED",
                                             "NOT_FOUND",
                                             "ALREADY_EXISTS",
                                             "PERMISSION_DENIED",
                                             "RESOURCE_EXHAUSTED",
                                             "FAILED_PRECONDITION",
                                             "ABORTED",
                                             "OUT_OF_RANGE",
                                             "UNIMPLEMENTED",
                                             "INTERNAL",
                                             "UNAVAILABLE",
                                             "DATA_LOSS",
                                             "UNAUTHENTICATED"};
  return kNames[code];
}

// The series of one method. prometheus-cpp finds a series by hashing a
// label map under the family's lock; doing that twice per RPC would cost
// more than the old hand-written registry, so each method resolves its
// histogram once and each (method, code) counter on its first use.
struct MethodSeries {
  std::string service;
  std::string method;
  prometheus::Histogram* latency = nullptr;
  std::array<std::atomic<prometheus::Counter*>, kCodes> handled{};
};

class RpcSeries {
 public:
  explicit RpcSeries(prometheus::Registry& registry)
      : handled_(prometheus::BuildCounter()
                     .Name("sslpanel_grpc_server_handled_total")
                     .Help("RPCs completed, by service, method and code.")
                     .Register(registry)),
        latency_(prometheus::BuildHistogram()
                     .Name("sslpanel_grpc_server_handling_seconds")
                     .Help("Time to answer an RPC, by method.")
                     .Register(registry)) {}

  // `path` is "/sslpanel.workflow.v1.WorkflowService/GetOrder".
  MethodSeries& ForPath(absl::string_view path) {
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto it = methods_.find(path); it != methods_.end()) {
        return *it->second;
      }
    }
    absl::MutexLock lock(&mu_);
    auto& series = methods_[path];
    if (series == nullptr) {
      series = std::make_unique<MethodSeries>();
      const size_t slash = path.rfind('/');
      series->service = slash == absl::string_view::npos || slash == 0
                            ? "unknown"
                            : std::string(path.substr(1, slash - 1));
      series->method =
          std::string(slash == absl::string_view::npos ? path : path.substr(slash + 1));
      series->latency = &latency_.Add({{"service", series->service}, {"method", series->method}},
                                      metrics::LatencyBuckets());
    }
    return *series;
  }

  prometheus::Counter& Handled(MethodSeries& series, grpc::StatusCode status) {
    const int code = status >= 0 && status < kCodes ? status : grpc::StatusCode::UNKNOWN;
    prometheus::Counter* counter = series.handled[code].load(std::memory_order_acquire);
    if (counter == nullptr) {
      // Two first calls may race here: Add returns the same series to both.
      counter = &handled_.Add(
          {{"service", series.service}, {"method", series.method}, {"code", CodeName(code)}});
      series.handled[code].store(counter, std::memory_order_release);
    }
    return *counter;
  }

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  absl::Mutex mu_;
  // Entries are never removed: the methods a server registers are few.
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> methods_ ABSL_GUARDED_BY(mu_);
};

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcSeries& rpcs, grpc::experimental::ServerRpcInfo* info)
      : rpcs_(rpcs),
        series_(rpcs.ForPath(info->method() != nullptr ? info->method() : "")),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      rpcs_.Handled(series_, methods->GetSendStatus().error_code()).Increment();
      series_.latency->Observe(seconds);
    }
    methods->Proceed();
  }

 private:
  RpcSeries& rpcs_;
  MethodSeries& series_;
  std::chrono::steady_clock::time_point start_;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(prometheus::Registry& registry) : rpcs_(registry) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(rpcs_, info);
  }

 private:
  RpcSeries rpcs_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewMetricsInterceptorFactory(
    prometheus::Registry& registry) {
  return std::make_unique<Factory>(registry);
}

}  // namespace sslpanel::grpc_util
