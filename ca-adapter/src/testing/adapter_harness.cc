#include "ca-adapter/src/testing/adapter_harness.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/storage/migrations.h"
#include "common/mysql/migrator.h"

namespace sslpanel::ca::testing {

absl::StatusOr<std::unique_ptr<AdapterHarness>> AdapterHarness::Create(
    const Clock& clock, BackendFactory factory, server::AdapterOptions options) {
  std::unique_ptr<AdapterHarness> harness(new AdapterHarness(clock, std::move(factory), options));
  absl::StatusOr<std::unique_ptr<sslpanel::testing::TestDatabase>> database =
      sslpanel::testing::TestDatabase::Create();
  if (!database.ok()) {
    return database.status();
  }
  harness->database_ = *std::move(database);
  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> pool =
      mysql::ConnectionPool::Create(harness->database_->config());
  if (!pool.ok()) {
    return pool.status();
  }
  harness->pool_ = *std::move(pool);
  if (absl::Status migrated = mysql::ApplyMigrations(*harness->pool_, CaAdapterMigrations());
      !migrated.ok()) {
    return migrated;
  }
  if (absl::Status started = harness->Start(); !started.ok()) {
    return started;
  }
  return harness;
}

AdapterHarness::~AdapterHarness() {
  stub_.reset();
  server_.reset();
  pool_.reset();
}

absl::Status AdapterHarness::Start() {
  absl::StatusOr<std::shared_ptr<app::CaBackend>> backend = factory_(*pool_, clock_);
  if (!backend.ok()) {
    return backend.status();
  }
  grpc_util::ServerConfig config;
  config.listen_address = "127.0.0.1:0";
  config.shutdown_grace = absl::Seconds(5);
  absl::StatusOr<std::unique_ptr<server::AdapterServer>> server =
      server::AdapterServer::Start(config, *pool_, *std::move(backend), clock_, options_);
  if (!server.ok()) {
    return server.status();
  }
  server_ = *std::move(server);
  target_ = absl::StrCat("127.0.0.1:", server_->port());
  stub_ = v1::CaAdapterService::NewStub(
      grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
  return absl::OkStatus();
}

absl::Status AdapterHarness::Restart() {
  stub_.reset();
  server_.reset();  // shuts down and releases the backend
  return Start();
}

absl::StatusOr<int64_t> AdapterHarness::QueryNumber(const std::string& sql) {
  int64_t value = 0;
  absl::Status status = pool_->Run("test query", [&](sql::Connection& conn) -> absl::Status {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
    if (!rows->next()) {
      return absl::NotFoundError(absl::StrCat("no row from ", sql));
    }
    value = rows->getInt64(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return value;
}

}  // namespace sslpanel::ca::testing
