#include "common/grpc/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/health_check_service_server_builder_option.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/authz/policy.h"
#include "common/grpc/authz.h"
#include "common/grpc/drain.h"
#include "common/grpc/metrics_interceptor.h"
#include "common/grpc/reflection.h"
#include "common/log/log.h"
#include "common/metrics/metrics_server.h"
#include "common/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "prometheus/registry.h"

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

// grpc.health.v1.Health alone, for the plaintext health port: Check answers
// for "" and the hosted services (Watch is not offered; probes use Check).
// Mirrors the main server's default health service, which a server without
// other synchronous services cannot run.
class PlainHealth final : public grpc::health::v1::Health::Service {
 public:
  explicit PlainHealth(std::vector<std::string> names) : names_(std::move(names)) {}

  void SetServing(bool serving) {
    std::lock_guard<std::mutex> lock(mu_);
    serving_ = serving;
  }

  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override {
    if (!request->service().empty() &&
        std::find(names_.begin(), names_.end(), request->service()) == names_.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    }
    std::lock_guard<std::mutex> lock(mu_);
    response->set_status(serving_ ? grpc::health::v1::HealthCheckResponse::SERVING
                                  : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    return grpc::Status::OK;
  }

 private:
  const std::vector<std::string> names_;
  std::mutex mu_;
  bool serving_ = false;
};

namespace {

absl::Status CheckHostPort(const std::string& flag, const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": listen address \"", address, "\" must be host:port"));
  }
  return absl::OkStatus();
}

// The listening port's credentials: TLS as configured and, with mutual TLS,
// the authorization check of every call (authz.h) checking the methods of
// `services` against the policy.
absl::StatusOr<std::pair<std::shared_ptr<grpc::ServerCredentials>, std::shared_ptr<Authorizer>>>
SecureCredentials(const ServerConfig& config, const std::vector<HostedService>& services,
                  prometheus::Registry& registry) {
  std::shared_ptr<grpc::ServerCredentials> credentials = ServerCredentialsFor(config.tls);
  if (config.tls.client_ca_file.empty()) {
    return std::make_pair(credentials, std::shared_ptr<Authorizer>());
  }
  static const SystemClock clock;
  std::vector<std::string> hosted;
  for (const HostedService& service : services) {
    hosted.push_back(service.name);
  }
  auto authorizer =
      StartAuthorizer({config.authz_policy_file, config.authz_refresh, hosted}, registry, clock);
  if (!authorizer.ok()) {
    return authorizer.status();
  }
  credentials->SetAuthMetadataProcessor(NewAuthzProcessor(*authorizer));
  return std::make_pair(credentials, *std::move(authorizer));
}

// Writes the bound port to `path` (tmp + rename: a reader never sees half).
absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) {
      return absl::InternalError(absl::StrCat("cannot write port file ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write port file ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ServerConfig::Validate() const {
  if (absl::Status valid = CheckHostPort("--listen", listen_address); !valid.ok()) {
    return valid;
  }
  if (!health_listen.empty()) {
    if (absl::Status valid = CheckHostPort("--health_listen", health_listen); !valid.ok()) {
      return valid;
    }
  }
  if (shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  }
  if (!authz_policy_file.empty() && tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--authz_policy_file ", authz_policy_file,
                     " needs --tls_client_ca_file: callers are known by their client "
                     "certificates (mutual TLS)"));
  }
  if (absl::Status valid = tls.Validate(); !valid.ok()) {
    return valid;
  }
  if (!authz_policy_file.empty()) {
    return authz::Policy::LoadFile("--authz_policy_file", authz_policy_file).status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServerHost>> ServerHost::Start(
    const ServerConfig& config, std::vector<HostedService> services,
    std::shared_ptr<prometheus::Registry> registry, std::shared_ptr<Drain> drain) {
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  if (drain == nullptr) {
    drain = std::make_shared<Drain>();
  }
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's lock-order
  // (deadlock) detection on: every lock of every absl::Mutex, gRPC's own
  // included, then updates a process-wide graph under a global lock (about
  // 2-3 % of a GetOrder's server CPU in perf). It is a debugging aid; off.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
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

  if (registry == nullptr) {
    registry = std::make_shared<prometheus::Registry>();
  }
  auto secured = SecureCredentials(config, services, *registry);
  if (!secured.ok()) {
    return secured.status();
  }
  auto [credentials, authorizer] = *std::move(secured);

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address, credentials, &port);
  std::vector<std::string> names;
  for (const HostedService& hosted : services) {
    builder.RegisterService(hosted.service);
    names.push_back(hosted.name);
  }
  builder.RegisterService((*reflection)->v1());
  builder.RegisterService((*reflection)->v1alpha());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // First, so the metrics count the UNAVAILABLE a refused or cut call got.
  interceptors.push_back(NewDrainInterceptorFactory(drain, names));
  interceptors.push_back(NewMetricsInterceptorFactory(*registry));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  auto metrics = metrics::StartMetricsServer(config.metrics_listen, registry);
  if (!metrics.ok()) {
    return metrics.status();
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen_address, " (address in use?)"));
  }
  auto host = std::unique_ptr<ServerHost>(new ServerHost(std::move(server), port, std::move(names),
                                                         config.shutdown_grace, std::move(drain)));
  host->reflection_ = *std::move(reflection);
  host->authorizer_ = std::move(authorizer);
  host->registry_ = std::move(registry);
  host->metrics_ = *std::move(metrics);
  if (!config.health_listen.empty()) {
    if (absl::Status serving = host->ServePlainHealth(config.health_listen); !serving.ok()) {
      return serving;
    }
  }
  for (const std::string& name : host->names_) {
    host->server_->GetHealthCheckService()->SetServingStatus(name, true);
  }
  host->server_->GetHealthCheckService()->SetServingStatus("", true);
  if (host->plain_health_ != nullptr) {
    host->plain_health_->SetServing(true);
  }

  if (!config.port_file.empty()) {
    if (absl::Status written = WritePortFile(config.port_file, port); !written.ok()) {
      return written;
    }
  }
  const std::string host_part = config.listen_address.substr(0, config.listen_address.rfind(':'));
  log::Info("serving", {{"address", absl::StrCat(host_part, ":", port)},
                        {"port", port},
                        {"tls", !config.tls.enabled()               ? "off"
                                : config.tls.client_ca_file.empty() ? "tls"
                                                                    : "mutual"},
                        {"authz_policy", config.authz_policy_file},
                        {"health_port", host->health_port_},
                        {"services", absl::StrJoin(host->names_, ",")}});
  return host;
}

absl::Status ServerHost::ServePlainHealth(const std::string& address) {
  // Its own server: nothing but health can be reached without TLS.
  plain_health_ = std::make_unique<PlainHealth>(names_);
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(nullptr));
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &health_port_);
  builder.RegisterService(plain_health_.get());
  health_server_ = builder.BuildAndStart();
  if (health_server_ == nullptr || health_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on --health_listen ", address));
  }
  return absl::OkStatus();
}

ServerHost::ServerHost(std::unique_ptr<grpc::Server> server, int port,
                       std::vector<std::string> names, absl::Duration grace,
                       std::shared_ptr<Drain> drain)
    : drain_(std::move(drain)),
      server_(std::move(server)),
      port_(port),
      names_(std::move(names)),
      grace_(grace) {}

ServerHost::~ServerHost() { Shutdown(); }

int ServerHost::metrics_port() const { return metrics_ == nullptr ? 0 : metrics_->port(); }

void ServerHost::Shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  // Probes and load balancers learn first, on both ports.
  server_->GetHealthCheckService()->Shutdown();  // every name NOT_SERVING
  if (plain_health_ != nullptr) {
    plain_health_->SetServing(false);
  }
  drain_->Start();
  log::Info("draining", {{"grace", grace_}, {"in_flight", drain_->in_flight()}});
  if (const int running = drain_->AwaitIdle(grace_); running > 0) {
    const int cut = drain_->CutRemaining();
    log::Warning("grace over: calls still running were ended with UNAVAILABLE",
                 {{"calls", cut}, {"grace", grace_}});
  }
  // Every hosted call has its answer now. Once gRPC's own shutdown has
  // begun, gRPC 1.51 kills with CANCELLED any call that reaches the server
  // before the client read its GOAWAY, or that waits for a thread, and
  // clients retrying UNAVAILABLE keep sending. So the connections are closed
  // first: such a call then fails on the client as UNAVAILABLE, and the
  // reconnect finds the listener closed. (Documented for use after shutdown,
  // grpc_server_cancel_all_calls only disconnects every transport, without
  // a GOAWAY.) The shutdown then has nothing left to wait for.
  grpc_server_cancel_all_calls(server_->c_server());
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  if (authorizer_ != nullptr) {
    StopAuthorizer(*authorizer_);
  }
  if (health_server_ != nullptr) {
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_->Wait();
  }
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
