#include "common/grpc/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, listen, "", "host:port to serve gRPC on; port 0 picks a free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port to this file once serving");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "after SIGTERM (health NOT_SERVING, new calls refused with UNAVAILABLE), how long "
          "calls in flight may finish; any still running then is ended with UNAVAILABLE");
ABSL_FLAG(std::string, log_level, "info", "lowest log level written: debug, info, warning, error");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port to serve Prometheus metrics on at /metrics; empty: off");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain to serve TLS with (with --tls_key_file); empty: plaintext. "
          "Re-read when the file changes");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA that client certificates must be issued by; set: mutual TLS (a certificate of "
          "another CA fails the handshake, a caller without one gets UNAUTHENTICATED)");
ABSL_FLAG(std::string, authz_policy_file, "",
          "JSON policy of who may call what: identities (from client certificates) to roles, "
          "roles to RPCs (config/authz/); needs --tls_client_ca_file. Re-read when it changes; "
          "empty: every certificate of the client CA is admitted");
ABSL_FLAG(absl::Duration, authz_policy_refresh, absl::Seconds(10),
          "how often --authz_policy_file is checked for changes");
ABSL_FLAG(std::string, health_listen, "",
          "host:port for a plaintext port serving only grpc.health.v1.Health (for probes that "
          "cannot speak TLS); empty: none");
ABSL_FLAG(bool, mutex_deadlock_detection, false,
          "check absl::Mutex lock order and abort on a potential deadlock (a debugging aid: "
          "every lock then updates a process-wide graph under a global lock); tests run with "
          "it on");

namespace sslpanel::grpc_util {

void ApplyMutexDeadlockDetectionFlag() {
  absl::SetMutexDeadlockDetectionMode(absl::GetFlag(FLAGS_mutex_deadlock_detection)
                                          ? absl::OnDeadlockCycle::kAbort
                                          : absl::OnDeadlockCycle::kIgnore);
}

absl::StatusOr<ServerConfig> ServerConfigFromFlags(const std::string& service_name,
                                                   const std::string& default_listen) {
  log::Level level;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_level must be debug, info, warning or error, got \"",
                     absl::GetFlag(FLAGS_log_level), "\""));
  }
  log::Configure(service_name, level);
  ServerConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  if (config.listen_address.empty()) {
    config.listen_address = default_listen;
  }
  config.port_file = absl::GetFlag(FLAGS_port_file);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.tls.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  config.tls.key_file = absl::GetFlag(FLAGS_tls_key_file);
  config.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  config.health_listen = absl::GetFlag(FLAGS_health_listen);
  config.authz_policy_file = absl::GetFlag(FLAGS_authz_policy_file);
  config.authz_refresh = absl::GetFlag(FLAGS_authz_policy_refresh);
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  return config;
}

}  // namespace sslpanel::grpc_util
