#include "ca-adapter/src/server/adapter_server.h"

#include "ca-adapter/src/app/idempotent_executor.h"
#include "ca-adapter/src/grpc/ca_adapter_service.h"
#include "ca-adapter/src/storage/mysql_idempotency_store.h"

namespace sslpanel::ca::server {

struct AdapterServer::Parts {
  std::shared_ptr<app::CaBackend> backend;
  std::unique_ptr<storage::MysqlIdempotencyStore> store;
  std::unique_ptr<app::IdempotentExecutor> executor;
  std::unique_ptr<grpc_api::CaAdapterServiceImpl> service;
  std::unique_ptr<grpc_util::ServerHost> host;  // declared last: stopped first
};

absl::StatusOr<std::unique_ptr<AdapterServer>> AdapterServer::Start(
    const grpc_util::ServerConfig& config, mysql::ConnectionPool& pool,
    std::shared_ptr<app::CaBackend> backend, const Clock& clock, AdapterOptions options) {
  auto parts = std::make_unique<Parts>();
  parts->backend = std::move(backend);
  parts->store = std::make_unique<storage::MysqlIdempotencyStore>(pool);
  parts->executor = std::make_unique<app::IdempotentExecutor>(
      *parts->store, clock, options.call_budget + options.lease_margin);
  parts->service = std::make_unique<grpc_api::CaAdapterServiceImpl>(
      *parts->backend, *parts->executor, clock, grpc_api::ServiceOptions{options.call_budget});
  absl::StatusOr<std::unique_ptr<grpc_util::ServerHost>> host =
      grpc_util::ServerHost::Start(config, {{parts->service.get(), kServiceName}});
  if (!host.ok()) {
    return host.status();
  }
  parts->host = *std::move(host);
  return std::unique_ptr<AdapterServer>(new AdapterServer(std::move(parts)));
}

AdapterServer::AdapterServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

AdapterServer::~AdapterServer() { Shutdown(); }

int AdapterServer::port() const { return parts_->host->port(); }

grpc_util::ServerHost& AdapterServer::host() { return *parts_->host; }

void AdapterServer::Shutdown() { parts_->host->Shutdown(); }

}  // namespace sslpanel::ca::server
