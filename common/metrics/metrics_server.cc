#include "common/metrics/metrics_server.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"

namespace sslpanel::metrics {

absl::StatusOr<std::unique_ptr<http::Server>> StartMetricsServer(const std::string& address) {
  if (address.empty()) {
    return std::unique_ptr<http::Server>();
  }
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen \"", address, "\" must be host:port"));
  }
  auto server =
      http::Server::Start(address.substr(0, colon), port, [](const http::ServerRequest& request) {
        http::Response response;
        if (request.path != "/metrics") {
          response.status = 404;
          response.headers = {{"Content-Type", "text/plain"}};
          response.body = "metrics are at /metrics\n";
          return response;
        }
        response.status = 200;
        response.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
        response.body = Registry::Default().Render();
        return response;
      });
  if (!server.ok()) {
    return server.status();
  }
  log::Info(
      "metrics",
      {{"address", absl::StrCat(address.substr(0, colon), ":", (*server)->port(), "/metrics")}});
  return server;
}

}  // namespace sslpanel::metrics
