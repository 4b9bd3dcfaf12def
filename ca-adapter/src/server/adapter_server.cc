#include "ca-adapter/src/server/adapter_server.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "ca-adapter/src/app/idempotent_executor.h"
#include "ca-adapter/src/grpc/ca_adapter_service.h"
#include "ca-adapter/src/storage/mysql_idempotency_store.h"
#include "common/log/log.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace sslpanel::ca::server {
namespace {

constexpr int kPurgeBatch = 1000;
// A sweep stops after this many full batches and goes on at the next one, so
// a large first backlog is worked off without one long burst.
constexpr int kPurgeBatchesPerSweep = 20;

// The retention sweep: a thread that wakes every purge_interval until the
// server shuts down.
class RetentionSweeper {
 public:
  RetentionSweeper(storage::MysqlIdempotencyStore& store, const Clock& clock,
                   absl::Duration retention, absl::Duration interval, prometheus::Counter& purged)
      : store_(store), clock_(clock), retention_(retention), interval_(interval), purged_(purged) {
    if (retention_ > absl::ZeroDuration() && interval_ > absl::ZeroDuration()) {
      thread_ = std::thread([this] { Loop(); });
    }
  }
  ~RetentionSweeper() { Stop(); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  int64_t Sweep() {
    if (retention_ <= absl::ZeroDuration()) {
      return 0;
    }
    const absl::Time before = clock_.Now() - retention_;
    int64_t total = 0;
    for (int batch = 0; batch < kPurgeBatchesPerSweep; ++batch) {
      absl::StatusOr<int64_t> purged = store_.PurgeFinished(before, kPurgeBatch);
      if (!purged.ok()) {
        log::Warning("idempotency purge failed", {{"error", purged.status()}});
        break;
      }
      total += *purged;
      if (*purged < kPurgeBatch) {
        break;
      }
    }
    if (total > 0) {
      purged_.Increment(static_cast<double>(total));
      log::Info("purged finished idempotency keys",
                {{"rows", total}, {"older_than", absl::FormatTime(before)}});
    }
    return total;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      Sweep();
      lock.lock();
      wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return stopping_; });
    }
  }

  storage::MysqlIdempotencyStore& store_;
  const Clock& clock_;
  const absl::Duration retention_;
  const absl::Duration interval_;
  prometheus::Counter& purged_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

struct AdapterServer::Parts {
  std::shared_ptr<prometheus::Registry> metrics;  // declared first: outlives what records
  std::shared_ptr<app::CaBackend> backend;
  std::unique_ptr<storage::MysqlIdempotencyStore> store;
  std::unique_ptr<app::IdempotentExecutor> executor;
  std::unique_ptr<grpc_api::CaAdapterServiceImpl> service;
  std::unique_ptr<RetentionSweeper> sweeper;
  std::unique_ptr<grpc_util::ServerHost> host;  // declared last: stopped first
};

absl::StatusOr<std::unique_ptr<AdapterServer>> AdapterServer::Start(
    const grpc_util::ServerConfig& config, mysql::ConnectionPool& pool,
    std::shared_ptr<app::CaBackend> backend, const Clock& clock, AdapterOptions options,
    std::shared_ptr<prometheus::Registry> metrics) {
  auto parts = std::make_unique<Parts>();
  parts->metrics =
      metrics != nullptr ? std::move(metrics) : std::make_shared<prometheus::Registry>();
  parts->backend = std::move(backend);
  parts->store = std::make_unique<storage::MysqlIdempotencyStore>(pool);
  parts->executor = std::make_unique<app::IdempotentExecutor>(
      *parts->store, clock, options.call_budget + options.lease_margin);
  parts->service = std::make_unique<grpc_api::CaAdapterServiceImpl>(
      *parts->backend, *parts->executor, clock, grpc_api::ServiceOptions{options.call_budget});
  absl::StatusOr<std::unique_ptr<grpc_util::ServerHost>> host =
      grpc_util::ServerHost::Start(config, {{parts->service.get(), kServiceName}}, parts->metrics);
  if (!host.ok()) {
    return host.status();
  }
  parts->host = *std::move(host);
  parts->sweeper = std::make_unique<RetentionSweeper>(
      *parts->store, clock, options.idempotency_retention, options.purge_interval,
      prometheus::BuildCounter()
          .Name("sslpanel_ca_idempotency_purged_total")
          .Help("Finished idempotency records deleted after --idempotency_retention.")
          .Register(*parts->metrics)
          .Add({}));
  return std::unique_ptr<AdapterServer>(new AdapterServer(std::move(parts)));
}

AdapterServer::AdapterServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

AdapterServer::~AdapterServer() { Shutdown(); }

int AdapterServer::port() const { return parts_->host->port(); }

int64_t AdapterServer::PurgeExpiredKeys() { return parts_->sweeper->Sweep(); }

grpc_util::ServerHost& AdapterServer::host() { return *parts_->host; }

void AdapterServer::Shutdown() {
  parts_->sweeper->Stop();
  parts_->host->Shutdown();
}

}  // namespace sslpanel::ca::server
