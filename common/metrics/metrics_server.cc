#include "common/metrics/metrics_server.h"

#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace sslpanel::metrics {

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                             std::shared_ptr<prometheus::Registry> registry, int port)
    : registry_(std::move(registry)), exposer_(std::move(exposer)), port_(port) {}

MetricsServer::~MetricsServer() = default;

absl::StatusOr<std::unique_ptr<MetricsServer>> StartMetricsServer(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry) {
  if (address.empty()) {
    return std::unique_ptr<MetricsServer>();
  }
  // Checked here so a typo is named as the flag, not as civetweb's "null
  // context" exception.
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen \"", address, "\" must be host:port"));
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One thread is plenty for a scraper every few seconds.
    exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("--metrics_listen: cannot listen on ", address, ": ", e.what()));
  }
  exposer->RegisterCollectable(registry, "/metrics");
  const std::vector<int> ports = exposer->GetListeningPorts();
  const int bound = ports.empty() ? port : ports.front();
  log::Info("metrics",
            {{"address", absl::StrCat(address.substr(0, colon), ":", bound, "/metrics")}});
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(exposer), std::move(registry), bound));
}

}  // namespace sslpanel::metrics
