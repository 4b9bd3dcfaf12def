#include "common/grpc/metrics_interceptor.h"

#include <grpcpp/support/interceptor.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <string>

#include "common/metrics/metrics.h"

namespace sslpanel::grpc_util {
namespace {

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
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
  const int index = static_cast<int>(code);
  return index >= 0 && index <= 16 ? kNames[index] : "UNKNOWN";
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : start_(std::chrono::steady_clock::now()) {
    // "/sslpanel.workflow.v1.WorkflowService/GetOrder"
    const std::string path = info->method() != nullptr ? info->method() : "";
    const size_t slash = path.rfind('/');
    service_ = slash == std::string::npos || slash == 0 ? "unknown" : path.substr(1, slash - 1);
    method_ = slash == std::string::npos ? path : path.substr(slash + 1);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      static auto& handled = metrics::Registry::Default().Counter(
          "sslpanel_grpc_server_handled_total", "RPCs completed, by service, method and code.",
          {"service", "method", "code"});
      static auto& latency = metrics::Registry::Default().Histogram(
          "sslpanel_grpc_server_handling_seconds", "Time to answer an RPC, by method.",
          {"service", "method"}, metrics::LatencyBuckets());
      handled.Add({service_, method_, CodeName(status.error_code())});
      latency.Observe({service_, method_}, seconds);
    }
    methods->Proceed();
  }

 private:
  std::chrono::steady_clock::time_point start_;
  std::string service_;
  std::string method_;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewMetricsInterceptorFactory() {
  return std::make_unique<Factory>();
}

}  // namespace sslpanel::grpc_util
