// Serves the default registry at GET /metrics for Prometheus.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/http/http.h"

namespace sslpanel::metrics {

// Listens on `address` (host:port, port 0 allowed); nullptr when address is
// empty (metrics off).
absl::StatusOr<std::unique_ptr<http::Server>> StartMetricsServer(const std::string& address);

}  // namespace sslpanel::metrics
