// What every adapter binary's main() does, written once: the "migrate"
// command, the shared flags (--listen, --port_file, --db_*, --auto_migrate,
// --call_budget), the schema check, and serving until SIGTERM. A binary
// passes its name, defaults and how to build its CA backend.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/app/random_source.h"
#include "common/mysql/mysql.h"
#include "common/time/clock.h"
#include "prometheus/registry.h"

namespace sslpanel::ca::server {

struct AdapterProgram {
  std::string name;              // "ca-adapter-sandbox"
  std::string default_listen;    // "127.0.0.1:50053"
  std::string default_database;  // "sslpanel_ca_sandbox"
  // Builds the backend once the schema is current; reads the binary's own
  // flags. The pool, clock, random source and metrics registry (served at
  // --metrics_listen) outlive it.
  std::function<absl::StatusOr<std::shared_ptr<app::CaBackend>>(
      mysql::ConnectionPool& pool, const Clock& clock, app::RandomSource& random,
      prometheus::Registry& metrics)>
      make_backend;
  // Optional: what `migrate` (and --auto_migrate) does after the SQL
  // migrations, in code: e.g. sealing secrets stored before encryption.
  // Must be idempotent; reads the binary's own flags.
  std::function<absl::Status(mysql::ConnectionPool& pool)> after_migrations = nullptr;
};

// Usage: <name> [serve|migrate] [flags]. Returns the process exit code:
// 0 after a clean shutdown or migration, 1 when it cannot run, 2 for bad
// configuration.
int RunAdapter(int argc, char** argv, const AdapterProgram& program);

}  // namespace sslpanel::ca::server
