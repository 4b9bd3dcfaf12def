// One running adapter: the idempotency store and executor over the
// database, the shared gRPC service in front of a CA backend, and the server
// host (reflection, health, graceful shutdown). main() and the in-process
// service tests build adapters the same way, through this class.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "common/grpc/server.h"
#include "common/mysql/mysql.h"
#include "common/time/clock.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace sslpanel::ca::server {

inline constexpr char kServiceName[] = "sslpanel.ca.v1.CaAdapterService";

struct AdapterOptions {
  // Longest time one call may spend on the CA.
  absl::Duration call_budget = absl::Seconds(60);
  // How much longer than the call budget an idempotency key stays leased to
  // a running call; after that a replay resumes it.
  absl::Duration lease_margin = absl::Seconds(30);
  // Finished idempotency records older than this are deleted (running and
  // interrupted calls and cancel tombstones never are); zero keeps them for
  // ever. It must be longer than any caller goes on retrying one key.
  absl::Duration idempotency_retention = absl::Hours(24 * 30);
  // How often the retention sweep runs.
  absl::Duration purge_interval = absl::Minutes(10);
};

class AdapterServer {
 public:
  // Starts serving `backend` (kept alive until Shutdown). The pool and the
  // clock must outlive the server. Metrics go to `metrics` (null: a registry
  // of the server's own), served at config.metrics_listen.
  static absl::StatusOr<std::unique_ptr<AdapterServer>> Start(
      const grpc_util::ServerConfig& config, mysql::ConnectionPool& pool,
      std::shared_ptr<app::CaBackend> backend, const Clock& clock, AdapterOptions options,
      std::shared_ptr<prometheus::Registry> metrics = nullptr);
  ~AdapterServer();

  int port() const;
  // Runs one retention sweep now; returns how many records it deleted.
  int64_t PurgeExpiredKeys();
  grpc_util::ServerHost& host();
  // Health NOT_SERVING, then in-flight calls finish within the grace period.
  void Shutdown();

 private:
  struct Parts;
  explicit AdapterServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace sslpanel::ca::server
