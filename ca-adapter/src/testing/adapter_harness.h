// Runs an adapter in-process for a test, as main() would: a fresh MariaDB
// database (TestDatabase) migrated to the current schema, the real gRPC
// server on 127.0.0.1:0, and a client stub. Restart() replaces server and
// backend while keeping the database, like a process restart.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/server/adapter_server.h"
#include "common/mysql/mysql.h"
#include "common/testing/test_database.h"
#include "common/time/clock.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::ca::testing {

class AdapterHarness {
 public:
  // Builds a backend over the test database; called again by Restart().
  using BackendFactory = std::function<absl::StatusOr<std::shared_ptr<app::CaBackend>>(
      mysql::ConnectionPool& pool, const Clock& clock)>;

  static absl::StatusOr<std::unique_ptr<AdapterHarness>> Create(
      const Clock& clock, BackendFactory factory,
      server::AdapterOptions options = server::AdapterOptions());
  ~AdapterHarness();

  v1::CaAdapterService::Stub& stub() { return *stub_; }
  const std::string& target() const { return target_; }
  mysql::ConnectionPool& pool() { return *pool_; }
  const mysql::MysqlConfig& database() const { return database_->config(); }
  server::AdapterServer& server() { return *server_; }

  // Stops the server, drops the backend, and starts both again on the same
  // database (and a new port).
  absl::Status Restart();

  // The single number a query such as "SELECT COUNT(*) FROM t" returns.
  absl::StatusOr<int64_t> QueryNumber(const std::string& sql);

 private:
  AdapterHarness(const Clock& clock, BackendFactory factory, server::AdapterOptions options)
      : clock_(clock), factory_(std::move(factory)), options_(options) {}
  absl::Status Start();

  const Clock& clock_;
  BackendFactory factory_;
  server::AdapterOptions options_;
  std::unique_ptr<sslpanel::testing::TestDatabase> database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<server::AdapterServer> server_;
  std::string target_;
  std::unique_ptr<v1::CaAdapterService::Stub> stub_;
};

}  // namespace sslpanel::ca::testing
