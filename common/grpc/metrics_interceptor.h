// Counts every RPC a server answers and how long it took, by service,
// method and status code (sslpanel_grpc_server_handled_total,
// sslpanel_grpc_server_handling_seconds), for every binary through the
// bootstrap. It runs on every call, so the series of a method are looked up
// once and kept.
#pragma once

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace sslpanel::grpc_util {

// Records into `registry`, which must outlive the factory and every call.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewMetricsInterceptorFactory(
    prometheus::Registry& registry);

}  // namespace sslpanel::grpc_util
