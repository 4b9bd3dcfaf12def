// The flags every server binary shares (--listen, --port_file,
// --shutdown_grace, --log_level, --metrics_listen, --tls_*, --health_listen,
// --authz_policy_file, --authz_policy_refresh),
// defined once. Only main() reads them.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/grpc/server.h"

namespace sslpanel::grpc_util {

// Builds the server configuration from the shared flags and configures the
// logger for `service_name`. `default_listen` is used when --listen is unset.
absl::StatusOr<ServerConfig> ServerConfigFromFlags(const std::string& service_name,
                                                   const std::string& default_listen);

// Applies --mutex_deadlock_detection (off unless set). Debian builds Abseil
// without NDEBUG, which leaves absl::Mutex's lock-order (deadlock) detection
// on: every lock of every absl::Mutex, gRPC's own included, then updates a
// process-wide graph under a global lock (about 2-3 % of a GetOrder's
// server CPU in perf). Each server's main() calls this; tests do not, so
// they keep the detection on.
void ApplyMutexDeadlockDetectionFlag();

}  // namespace sslpanel::grpc_util
