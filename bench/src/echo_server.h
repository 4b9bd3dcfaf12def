// The bare echo server on gRPC's callback API: the fastest server API this
// gRPC offers here, so its QPS is the gRPC limit of the machine.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sslpanel::bench {

class EchoServer {
 public:
  // Listens on `address` (port 0 picks one) with the default health service
  // on (SERVING) and nothing else; with `generic`, that service also answers
  // every method the echo service does not (the floors, floor_server.h).
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(
      const std::string& address, std::unique_ptr<grpc::CallbackGenericService> generic = nullptr);
  ~EchoServer();

  int port() const { return port_; }
  grpc::Server& server() { return *server_; }
  void Shutdown();

 private:
  EchoServer() = default;
  std::unique_ptr<grpc::Service> service_;
  std::unique_ptr<grpc::CallbackGenericService> generic_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace sslpanel::bench
