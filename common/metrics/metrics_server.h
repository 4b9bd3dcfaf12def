// Serves a registry at GET /metrics for Prometheus through prometheus-cpp's
// pull exposer (civetweb); nothing else is reachable on that port.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace sslpanel::metrics {

class MetricsServer {
 public:
  ~MetricsServer();
  int port() const { return port_; }

 private:
  friend absl::StatusOr<std::unique_ptr<MetricsServer>> StartMetricsServer(
      const std::string&, std::shared_ptr<prometheus::Registry>);
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                std::shared_ptr<prometheus::Registry> registry, int port);

  // The exposer holds the registry weakly: keep it alive as long as it serves.
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

// Listens on `address` (host:port, port 0 picks one) and serves `registry`;
// nullptr when address is empty (metrics off).
absl::StatusOr<std::unique_ptr<MetricsServer>> StartMetricsServer(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry);

}  // namespace sslpanel::metrics
