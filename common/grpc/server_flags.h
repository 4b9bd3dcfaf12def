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

}  // namespace sslpanel::grpc_util
