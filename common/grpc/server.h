// Server bootstrap shared by every binary: listen address (port 0 allowed),
// gRPC reflection, the standard health service with a status per service,
// with mutual TLS the authorization check of every call (authz.h), and
// graceful shutdown on SIGTERM/SIGINT (a drain, see drain.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/tls.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace sslpanel::metrics {
class MetricsServer;
}  // namespace sslpanel::metrics

namespace sslpanel::grpc_util {

class Authorizer;
class Drain;
class Reflection;
class PlainHealth;

struct ServerConfig {
  // host:port to listen on; port 0 picks a free port (logged and reported).
  std::string listen_address = "127.0.0.1:0";
  // How long in-flight calls may run on after a termination signal; any
  // still running then is ended with UNAVAILABLE.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // When set, the bound port is written to this file once serving (tests).
  std::string port_file;
  // When set, Prometheus metrics are served at http://<this>/metrics.
  std::string metrics_listen;
  // TLS (and mutual TLS) on listen_address; plaintext when not enabled.
  ServerTls tls;
  // When set, a second, plaintext port serving only grpc.health.v1.Health,
  // for probes that cannot speak TLS (the kubelet's gRPC probe).
  std::string health_listen;
  // Who may call what (authz/policy.h); needs tls.client_ca_file. Empty with
  // mutual TLS: every certificate of the client CA is admitted.
  std::string authz_policy_file;
  // How often the policy file is checked for changes.
  absl::Duration authz_refresh = absl::Seconds(10);

  absl::Status Validate() const;
};

// A service to serve, with the fully qualified name health checks use
// (e.g. "sslpanel.workflow.v1.WorkflowService").
struct HostedService {
  grpc::Service* service;
  std::string name;
};

class ServerHost {
 public:
  // Builds the server, binds and starts serving; health reports SERVING for
  // "" and every service name. RPC metrics go to `registry` (with whatever
  // else the binary records there), served at config.metrics_listen; null:
  // a registry of the server's own. Pass `drain` when a handler must learn
  // that the drain started (a server stream); otherwise the host makes its
  // own.
  static absl::StatusOr<std::unique_ptr<ServerHost>> Start(
      const ServerConfig& config, std::vector<HostedService> services,
      std::shared_ptr<prometheus::Registry> registry = nullptr,
      std::shared_ptr<Drain> drain = nullptr);
  ~ServerHost();

  int port() const { return port_; }
  // The metrics port, or 0 when metrics are off.
  int metrics_port() const;
  // The plaintext health port, or 0 without health_listen.
  int health_port() const { return health_port_; }
  grpc::Server* server() { return server_.get(); }
  Drain& drain() { return *drain_; }

  // Health turns NOT_SERVING on both ports and new calls get UNAVAILABLE
  // at once; calls in flight get the grace to finish, and any still running
  // then is ended with UNAVAILABLE. Only then does gRPC's own shutdown run.
  // Returns once the handlers have returned.
  void Shutdown();

 private:
  ServerHost(std::unique_ptr<grpc::Server> server, int port, std::vector<std::string> names,
             absl::Duration grace, std::shared_ptr<Drain> drain);
  // The plaintext health-only server on `address` (--health_listen).
  absl::Status ServePlainHealth(const std::string& address);

  std::shared_ptr<Drain> drain_;                    // shared with the server's interceptors
  std::shared_ptr<Authorizer> authorizer_;          // shared with the credentials' processor
  std::unique_ptr<Reflection> reflection_;          // outlives server_ (destroyed after it)
  std::shared_ptr<prometheus::Registry> registry_;  // outlives server_ (its interceptor)
  std::unique_ptr<metrics::MetricsServer> metrics_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<PlainHealth> plain_health_;  // outlives health_server_
  std::unique_ptr<grpc::Server> health_server_;
  int port_;
  int health_port_ = 0;
  std::vector<std::string> names_;
  absl::Duration grace_;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// afterwards; call first in main so WaitForTerminationSignal() receives them.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForTerminationSignal();

// Serves until a termination signal, then shuts down gracefully.
void ServeUntilSignal(ServerHost& host);

}  // namespace sslpanel::grpc_util
