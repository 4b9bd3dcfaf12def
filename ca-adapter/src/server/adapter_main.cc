#include "ca-adapter/src/server/adapter_main.h"

#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/server/adapter_server.h"
#include "ca-adapter/src/storage/migrations.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "common/config/command_line.h"
#include "common/grpc/server.h"
#include "common/grpc/server_flags.h"
#include "common/log/log.h"
#include "common/mysql/db_flags.h"
#include "common/mysql/migrator.h"

ABSL_FLAG(bool, auto_migrate, false,
          "apply pending database migrations before serving (local runs and tests; production "
          "runs the migrate command as a Job)");
ABSL_FLAG(absl::Duration, call_budget, absl::Seconds(60),
          "longest time one RPC may spend talking to the CA, whatever the caller's deadline");
ABSL_FLAG(absl::Duration, lease_margin, absl::Seconds(30),
          "how much longer than --call_budget an idempotency key stays leased to a running call "
          "(after a crash, a replay waits this long plus the budget before it resumes the call)");
ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 30),
          "finished idempotency keys older than this are deleted (running and interrupted calls "
          "never are); 0 keeps them for ever. Must exceed how long the workflow retries one key");
ABSL_FLAG(absl::Duration, purge_interval, absl::Minutes(10),
          "how often finished idempotency keys past --idempotency_retention are deleted");

namespace sslpanel::ca::server {

int RunAdapter(int argc, char** argv, const AdapterProgram& program) {
  grpc_util::BlockTerminationSignals();
  const std::vector<char*> args = sslpanel::config::ParseCommandLine(
      argc, argv,
      absl::StrCat("sslpanel.ca.v1.CaAdapterService for one CA.\n\nUsage:\n  ", program.name,
                   " [flags]            serve (needs a current schema, or --auto_migrate)\n  ",
                   program.name, " migrate [flags]    apply the database migrations and exit"));
  grpc_util::ApplyMutexDeadlockDetectionFlag();
  const std::string command = args.size() > 1 ? args[1] : "serve";
  if (args.size() > 2 || (command != "serve" && command != "migrate")) {
    log::Error("unknown command; use \"serve\" (default) or \"migrate\"",
               {{"command", absl::StrJoin(args.begin() + 1, args.end(), " ")}});
    return 2;
  }
  absl::StatusOr<grpc_util::ServerConfig> server_config =
      grpc_util::ServerConfigFromFlags(program.name, program.default_listen);
  absl::StatusOr<mysql::MysqlConfig> db_config =
      mysql::MysqlConfigFromFlags(program.default_database);
  for (const absl::Status& status : {server_config.status(), db_config.status()}) {
    if (!status.ok()) {
      log::Error("bad configuration", {{"error", status}});
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_lease_margin) < absl::ZeroDuration()) {
    log::Error("bad configuration", {{"error", "--lease_margin must not be negative"}});
    return 2;
  }
  if (absl::GetFlag(FLAGS_call_budget) <= absl::ZeroDuration()) {
    log::Error("bad configuration", {{"error", "--call_budget must be positive"}});
    return 2;
  }
  if (absl::GetFlag(FLAGS_idempotency_retention) < absl::ZeroDuration() ||
      (absl::GetFlag(FLAGS_idempotency_retention) > absl::ZeroDuration() &&
       absl::GetFlag(FLAGS_idempotency_retention) < absl::Hours(24))) {
    log::Error("bad configuration",
               {{"error", "--idempotency_retention must be 0 (keep for ever) or at least 24h"}});
    return 2;
  }
  if (absl::GetFlag(FLAGS_purge_interval) < absl::Seconds(1) ||
      absl::GetFlag(FLAGS_purge_interval) > absl::Hours(24)) {
    log::Error("bad configuration", {{"error", "--purge_interval must be 1s..24h"}});
    return 2;
  }
  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> pool =
      mysql::ConnectionPool::Create(*db_config);
  if (!pool.ok()) {
    log::Error("cannot reach the database",
               {{"database", db_config->Describe()}, {"error", pool.status()}});
    return 1;
  }
  if (command == "migrate" || absl::GetFlag(FLAGS_auto_migrate)) {
    std::vector<int> applied;
    if (absl::Status migrated = mysql::ApplyMigrations(**pool, CaAdapterMigrations(), &applied);
        !migrated.ok()) {
      log::Error("migration failed", {{"database", db_config->Describe()}, {"error", migrated}});
      return 1;
    }
    if (program.after_migrations) {
      if (absl::Status done = program.after_migrations(**pool); !done.ok()) {
        log::Error("migration failed", {{"database", db_config->Describe()}, {"error", done}});
        return done.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
      }
    }
    log::Info("database schema is current",
              {{"database", db_config->Describe()},
               {"applied", absl::StrJoin(applied, ",")},
               {"version", static_cast<int64_t>(CaAdapterMigrations().size())}});
    if (command == "migrate") {
      return 0;
    }
  }
  if (absl::Status current = mysql::CheckSchemaCurrent(**pool, CaAdapterMigrations());
      !current.ok()) {
    log::Error("refusing to start", {{"database", db_config->Describe()}, {"error", current}});
    return 1;
  }

  SystemClock clock;
  x509::OpenSslRandom random;
  auto metrics = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::shared_ptr<app::CaBackend>> backend =
      program.make_backend(**pool, clock, random, *metrics);
  if (!backend.ok()) {
    log::Error("cannot set up the CA backend", {{"error", backend.status()}});
    return backend.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  AdapterOptions options;
  options.call_budget = absl::GetFlag(FLAGS_call_budget);
  options.lease_margin = absl::GetFlag(FLAGS_lease_margin);
  options.idempotency_retention = absl::GetFlag(FLAGS_idempotency_retention);
  options.purge_interval = absl::GetFlag(FLAGS_purge_interval);
  absl::StatusOr<std::unique_ptr<AdapterServer>> adapter =
      AdapterServer::Start(*server_config, **pool, *std::move(backend), clock, options, metrics);
  if (!adapter.ok()) {
    log::Error("cannot start", {{"error", adapter.status()}});
    return 1;
  }
  grpc_util::ServeUntilSignal((*adapter)->host());
  return 0;
}

}  // namespace sslpanel::ca::server
