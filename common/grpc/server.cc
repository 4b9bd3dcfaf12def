#include "common/grpc/server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc/metrics_interceptor.h"
#include "common/grpc/reflection.h"
#include "common/http/http.h"
#include "common/log/log.h"
#include "common/metrics/metrics_server.h"

std::string_view SslpanelApiDescriptorSet();

namespace sslpanel::grpc_util {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

absl::Status ServerConfig::Validate() const {
  const size_t colon = listen_address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen_address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", listen_address, "\" must be host:port"));
  }
  if (shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("shutdown grace must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServerHost>> ServerHost::Start(const ServerConfig& config,
                                                              std::vector<HostedService> services) {
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  grpc::EnableDefaultHealthCheckService(true);
  std::vector<std::string> listed;
  for (const HostedService& hosted : services) {
    listed.push_back(hosted.name);
  }
  listed.push_back("grpc.health.v1.Health");
  const std::string_view descriptors = SslpanelApiDescriptorSet();
  auto reflection =
      Reflection::Create(absl::string_view(descriptors.data(), descriptors.size()), listed);
  if (!reflection.ok()) {
    return reflection.status();
  }

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address, grpc::InsecureServerCredentials(), &port);
  std::vector<std::string> names;
  for (const HostedService& hosted : services) {
    builder.RegisterService(hosted.service);
    names.push_back(hosted.name);
  }
  builder.RegisterService((*reflection)->v1());
  builder.RegisterService((*reflection)->v1alpha());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(NewMetricsInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  auto metrics = metrics::StartMetricsServer(config.metrics_listen);
  if (!metrics.ok()) {
    return metrics.status();
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen_address, " (address in use?)"));
  }
  auto host = std::unique_ptr<ServerHost>(
      new ServerHost(std::move(server), port, std::move(names), config.shutdown_grace));
  host->reflection_ = *std::move(reflection);
  host->metrics_ = *std::move(metrics);
  for (const std::string& name : host->names_) {
    host->server_->GetHealthCheckService()->SetServingStatus(name, true);
  }
  host->server_->GetHealthCheckService()->SetServingStatus("", true);

  if (!config.port_file.empty()) {
    const std::string tmp = config.port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << port << "\n";
      if (!out) {
        return absl::InternalError(absl::StrCat("cannot write port file ", tmp));
      }
    }
    if (std::rename(tmp.c_str(), config.port_file.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("cannot write port file ", config.port_file));
    }
  }
  const std::string host_part = config.listen_address.substr(0, config.listen_address.rfind(':'));
  log::Info("serving", {{"address", absl::StrCat(host_part, ":", port)},
                        {"port", port},
                        {"services", absl::StrJoin(host->names_, ",")}});
  return host;
}

ServerHost::ServerHost(std::unique_ptr<grpc::Server> server, int port,
                       std::vector<std::string> names, absl::Duration grace)
    : server_(std::move(server)), port_(port), names_(std::move(names)), grace_(grace) {}

ServerHost::~ServerHost() { Shutdown(); }

int ServerHost::metrics_port() const { return metrics_ == nullptr ? 0 : metrics_->port(); }

void ServerHost::Shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  server_->GetHealthCheckService()->Shutdown();  // every name NOT_SERVING
  log::Info("shutting down", {{"grace", grace_}});
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace_));
  server_->Wait();
  log::Info("stopped");
}

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  return signal;
}

void ServeUntilSignal(ServerHost& host) {
  const int signal = WaitForTerminationSignal();
  log::Info("termination signal", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  host.Shutdown();
}

}  // namespace sslpanel::grpc_util
