#include "bench/src/echo_server.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "sslpanel/bench/v1/echo.grpc.pb.h"

namespace sslpanel::bench {
namespace {

namespace v1 = ::sslpanel::bench::v1;

class EchoService final : public v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const v1::EchoRequest* request,
                                 v1::EchoResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(
    const std::string& address, std::unique_ptr<grpc::CallbackGenericService> generic) {
  auto echo = std::unique_ptr<EchoServer>(new EchoServer());
  echo->generic_ = std::move(generic);
  echo->service_ = std::make_unique<EchoService>();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &echo->port_);
  builder.RegisterService(echo->service_.get());
  if (echo->generic_ != nullptr) {
    builder.RegisterCallbackGenericService(echo->generic_.get());
  }
  echo->server_ = builder.BuildAndStart();
  if (echo->server_ == nullptr || echo->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("echo server cannot listen on ", address));
  }
  echo->server_->GetHealthCheckService()->SetServingStatus("sslpanel.bench.v1.EchoService", true);
  return echo;
}

EchoServer::~EchoServer() { Shutdown(); }

void EchoServer::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
    server_.reset();
  }
}

}  // namespace sslpanel::bench
