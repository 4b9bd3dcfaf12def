// workflow-service: wiring only. `workflow-service migrate` applies the
// schema migrations and exits; without it the binary serves the API and runs
// the processing loops.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/config/command_line.h"
#include "common/crypto/keyring_flags.h"
#include "common/grpc/drain.h"
#include "common/grpc/server.h"
#include "common/grpc/server_flags.h"
#include "common/grpc/tls.h"
#include "common/log/log.h"
#include "common/mysql/db_flags.h"
#include "common/mysql/migrator.h"
#include "common/time/clock.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/idempotency_keys.h"
#include "workflow-service/src/app/processing_loops.h"
#include "workflow-service/src/app/processor.h"
#include "workflow-service/src/app/unconfigured_prevalidation.h"
#include "workflow-service/src/config.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/grpc/event_stream.h"
#include "workflow-service/src/grpc/outbound.h"
#include "workflow-service/src/grpc/webhook_convert.h"
#include "workflow-service/src/grpc/workflow_service.h"
#include "workflow-service/src/storage/installation.h"
#include "workflow-service/src/storage/mysql_event_feed.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/mysql_work_queue.h"
#include "workflow-service/src/storage/order_snapshots.h"
#include "workflow-service/src/webhook_wiring.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace {

namespace app = sslpanel::workflow::app;
namespace grpc_api = sslpanel::workflow::grpc_api;
namespace storage = sslpanel::workflow::storage;
using sslpanel::log::Error;
using sslpanel::log::Info;

// Calls to adapters and prevalidation spread over every address the name
// resolves to (a headless Kubernetes Service), not just the first. A peer
// that restarts is reconnected within seconds: gRPC's default reconnect
// backoff grows to 120 s, which kept deliveries failing with "connection
// refused" long after an adapter was back (scripts/chaos R4); the outbox's
// own backoff already spaces the calls.
std::shared_ptr<grpc::Channel> Channel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, credentials, arguments);
}

}  // namespace

int main(int argc, char** argv) {
  sslpanel::grpc_util::BlockTerminationSignals();
  const std::vector<char*> args = sslpanel::config::ParseCommandLine(
      argc, argv,
      "workflow-service [migrate] --products_file=FILE --ca_adapters=name=host:port,... "
      "--prevalidation_address=host:port --db_host=... (password: --db_password_file or "
      "SSLPANEL_DB_PASSWORD)");
  sslpanel::grpc_util::ApplyMutexDeadlockDetectionFlag();
  const bool migrate = args.size() == 2 && std::string(args[1]) == "migrate";
  if (args.size() > 1 && !migrate) {
    Error("unknown command; the only command is \"migrate\"", {{"command", args[1]}});
    return 2;
  }
  sslpanel::log::Configure("workflow-service", sslpanel::log::Level::kInfo);
  std::mutex random_mu;
  absl::BitGen bits;
  // 64 random bits for installation ids: absl::BitGen is seeded from the OS.
  auto random64 = [&] {
    std::lock_guard<std::mutex> lock(random_mu);
    return absl::Uniform<uint64_t>(bits);
  };
  sslpanel::SystemClock clock;
  if (migrate) {
    // Only the database flags and --new_installation_id matter here (the
    // Kubernetes migration Job).
    auto migrate_config = sslpanel::workflow::MigrateConfigFromFlags();
    if (!migrate_config.ok()) {
      Error("bad configuration", {{"error", migrate_config.status()}});
      return 2;
    }
    const sslpanel::mysql::MysqlConfig& database = migrate_config->database;
    auto pool = sslpanel::mysql::ConnectionPool::Create(database);
    std::vector<int> applied;
    absl::Status status =
        pool.ok() ? sslpanel::mysql::ApplyMigrations(**pool, WorkflowMigrations(), &applied)
                  : pool.status();
    if (!status.ok()) {
      Error("migration failed", {{"database", database.Describe()}, {"error", status}});
      return 1;
    }
    Info("schema is current", {{"applied_now", static_cast<int64_t>(applied.size())},
                               {"version", static_cast<int64_t>(WorkflowMigrations().size())}});
    // Webhook secrets stored before --secrets_key_file was set are sealed
    // now, and ones under a key that is no longer current are re-sealed.
    auto keyring = sslpanel::crypto::KeyringFromFlags();
    if (!keyring.ok()) {
      Error("bad configuration", {{"error", keyring.status()}});
      return 2;
    }
    auto sealed = storage::SealWebhookSecrets(**pool, *keyring);
    if (!sealed.ok()) {
      Error("webhook secrets not sealed", {{"error", sealed.status()}});
      return 1;
    }
    if (keyring->seals()) {
      Info("stored secrets sealed with the current key",
           {{"table", "webhook_subscriptions, webhook_requests"},
            {"values_sealed", static_cast<int64_t>(*sealed)},
            {"key_id", keyring->current_key_id()}});
    }
    const std::string fresh = app::NewInstallationId(random64);
    if (migrate_config->new_installation_id) {
      auto previous = storage::RenewInstallationId(**pool, fresh, clock.Now());
      if (!previous.ok()) {
        Error("installation id not renewed", {{"error", previous.status()}});
        return 1;
      }
      Info("new installation id; outbox rows already stored keep their keys",
           {{"installation_id", fresh}, {"previous_installation_id", *previous}});
      return 0;
    }
    auto installation = storage::EnsureInstallationId(**pool, fresh, clock.Now());
    if (!installation.ok()) {
      Error("no installation id", {{"error", installation.status()}});
      return 1;
    }
    Info("installation id", {{"installation_id", *installation}});
    return 0;
  }
  auto config = sslpanel::workflow::WorkflowConfigFromFlags();
  if (!config.ok()) {
    Error("bad configuration", {{"error", config.status()}});
    return 2;
  }
  const sslpanel::mysql::MysqlConfig& database = config->database;
  auto pool = sslpanel::mysql::ConnectionPool::Create(database);
  if (!pool.ok()) {
    Error("cannot reach the database",
          {{"database", database.Describe()}, {"error", pool.status()}});
    return 1;
  }
  if (absl::Status schema = sslpanel::mysql::CheckSchemaCurrent(**pool, WorkflowMigrations());
      !schema.ok()) {
    Error("refusing to start", {{"error", schema}});
    return 1;
  }
  auto products = app::ProductCatalog::LoadFile(config->products_file);
  if (!products.ok()) {
    Error("bad configuration", {{"error", products.status()}});
    return 2;
  }

  // Normally created by migrate; created here when missing, so a schema
  // applied some other way still gets its own id.
  auto installation =
      storage::EnsureInstallationId(**pool, app::NewInstallationId(random64), clock.Now());
  if (!installation.ok()) {
    Error("refusing to start", {{"error", installation.status()}});
    return 1;
  }
  // Served at --metrics_listen with the RPC metrics of the server host.
  auto metrics = std::make_shared<prometheus::Registry>();

  // The event feed (WatchOrderEvents; webhooks) follows order_events on
  // connections of its own, so a busy API cannot hold it back.
  // A connection per stream reader thread (events and include_order's
  // snapshots), one for the follower, one for the webhook dispatcher's
  // reads, one spare.
  grpc_api::EventStreamOptions stream_options;
  stream_options.max_streams = config->max_event_streams;
  sslpanel::mysql::MysqlConfig feed_database = database;
  feed_database.pool_size = stream_options.read_threads + 3;
  auto feed_pool = sslpanel::mysql::ConnectionPool::Create(feed_database);
  if (!feed_pool.ok()) {
    Error("cannot reach the database",
          {{"database", database.Describe()}, {"error", feed_pool.status()}});
    return 1;
  }
  storage::EventFeedOptions feed_options;
  feed_options.poll_interval = config->event_poll_interval;
  feed_options.watermark.gap_timeout = config->event_gap_timeout;
  storage::MysqlEventFeed feed(**feed_pool, feed_options, metrics.get());
  feed.Start();  // warns when it cannot prove holes (no PROCESS privilege)

  storage::MysqlOrderRepository orders(**pool, *installation);
  orders.set_on_events_committed([&feed] { feed.Notify(); });
  storage::MysqlWorkQueue queue(**pool);
  sslpanel::workflow::csr::OpenSslCsrParser csr_parser;
  app::WorkflowApp workflow(orders, *products, csr_parser, clock, config->sla);
  // The order as of each event: webhook payloads and include_order read it.
  orders.set_snapshot_encoder([&workflow](const app::OrderRecord& record) {
    return grpc_api::EncodeOrderSnapshot(workflow, record);
  });
  // A call waits for a handler thread no longer than it would for a
  // connection, and is refused when the pool's threads are this far behind.
  grpc_api::WorkflowServiceImpl service(
      workflow, sslpanel::grpc_util::ExecutorOptions{
                    .threads = config->database.pool_size,
                    .queue_capacity = config->handler_queue_capacity,
                    .queue_timeout = config->database.acquire_timeout,
                    .queue_timeout_message =
                        absl::StrCat("no database connection free within ",
                                     absl::FormatDuration(config->database.acquire_timeout),
                                     " (pool size ", config->database.pool_size, ")")});
  grpc_api::EventStreams event_streams(feed, *installation, stream_options);
  // include_order: the snapshot Save kept, read on the streams' threads.
  event_streams.set_order_snapshots([&feed_pool](int64_t order_id, int64_t version) {
    return storage::GetSnapshot(**feed_pool, order_id, version);
  });
  service.set_event_streams(&event_streams);

  // One set of credentials (and certificate-file watcher) for every call.
  const std::shared_ptr<grpc::ChannelCredentials> upstream =
      sslpanel::grpc_util::ChannelCredentialsFor(config->upstream_tls);
  grpc_api::StaticCaRouter adapters;
  for (const auto& [name, address] : config->ca_adapters) {
    adapters.Add(name, std::make_unique<grpc_api::GrpcCaClient>(
                           sslpanel::ca::v1::CaAdapterService::NewStub(Channel(address, upstream)),
                           config->call_timeout));
  }
  for (const app::Product& product : products->all()) {
    if (config->ca_adapters.count(product.ca_adapter) == 0) {
      sslpanel::log::Warning("no CA adapter configured for a product; its orders will wait",
                             {{"product", product.id}, {"ca_adapter", product.ca_adapter}});
    }
  }
  // Without a prevalidation service every check answers UNAVAILABLE, saying
  // why, and is retried: OV/EV orders wait visibly until one is configured.
  std::unique_ptr<app::PrevalidationClient> prevalidation;
  if (config->prevalidation_address.empty()) {
    sslpanel::log::Warning("no prevalidation service configured; OV and EV orders will wait",
                           {{"flag", "--prevalidation_address"}});
    prevalidation = std::make_unique<app::UnconfiguredPrevalidation>();
  } else {
    prevalidation = std::make_unique<grpc_api::GrpcPrevalidationClient>(
        sslpanel::prevalidation::v1::PrevalidationService::NewStub(
            Channel(config->prevalidation_address, upstream)),
        config->call_timeout);
  }
  app::Processor processor(
      workflow, queue, *prevalidation, adapters, clock, config->processing_options,
      [&] {
        std::lock_guard<std::mutex> lock(random_mu);
        return absl::Uniform<double>(bits, 0.0, 1.0);
      },
      *metrics);
  // The DCV operations ask the adapters (capabilities, approver addresses).
  workflow.set_ca_access(&adapters, &processor.capabilities());
  app::ProcessingLoops loops(processor, {config->outbox_workers, config->poll_workers,
                                         config->idle_wait, config->sweep_interval});
  auto webhooks = sslpanel::workflow::WebhookRuntime::Create(
      {config->webhooks, pool->get(), &feed, &clock, metrics.get(),
       [&] {
         std::lock_guard<std::mutex> lock(random_mu);
         return absl::Uniform<double>(bits, 0.0, 1.0);
       },
       config->processing_options.owner, config->processing_options.request_id_retention,
       config->sweep_interval});
  if (!webhooks.ok()) {
    Error("bad configuration", {{"error", webhooks.status()}});
    return 2;
  }
  service.set_webhooks(&(*webhooks)->app());
  if (config->processing) {
    loops.Start(workflow);
    (*webhooks)->Start();
  }
  Info("configuration", {{"database", database.Describe()},
                         {"installation_id", *installation},
                         {"products", static_cast<int64_t>(products->all().size())},
                         {"ca_adapters", static_cast<int64_t>(config->ca_adapters.size())},
                         {"prevalidation", config->prevalidation_address},
                         {"processing", config->processing}});

  // The drain ends the event streams at once with UNAVAILABLE (they resume
  // elsewhere with their token) instead of holding the grace.
  auto drain = std::make_shared<sslpanel::grpc_util::Drain>();
  drain->OnStart([&event_streams] { event_streams.Shutdown(); });
  auto host = sslpanel::grpc_util::ServerHost::Start(
      config->server, {{&service, "sslpanel.workflow.v1.WorkflowService"}}, metrics, drain);
  if (!host.ok()) {
    Error("cannot start", {{"error", host.status()}});
    return 1;
  }
  const int signal = sslpanel::grpc_util::WaitForTerminationSignal();
  Info("termination signal", {{"signal", signal}});
  // Claim nothing new; what is claimed finishes (bounded by --call_timeout)
  // while the API drains within --shutdown_grace.
  loops.RequestStop();
  (*webhooks)->RequestStop();
  (*host)->Shutdown();
  loops.Stop();
  (*webhooks)->Stop();
  Info("processing stopped");
  return 0;
}
