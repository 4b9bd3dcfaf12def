// Counts every RPC a server answers and how long it took, by service,
// method and status code (sslpanel_grpc_server_handled_total,
// sslpanel_grpc_server_handling_seconds), for every binary through the
// bootstrap.
#pragma once

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace sslpanel::grpc_util {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewMetricsInterceptorFactory();

}  // namespace sslpanel::grpc_util
