// workflow-service: wiring only. `workflow-service migrate` applies the
// schema migrations and exits; without it the binary serves the API.
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/grpc/server.h"
#include "common/grpc/server_flags.h"
#include "common/log/log.h"
#include "common/mysql/db_flags.h"
#include "common/mysql/migrator.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/products.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/grpc/workflow_service.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

ABSL_FLAG(std::string, products_file, "", "product catalogue (JSON); required");

namespace {

using sslpanel::log::Error;
using sslpanel::log::Info;

int Migrate(sslpanel::mysql::ConnectionPool& pool) {
  std::vector<int> applied;
  absl::Status status = sslpanel::mysql::ApplyMigrations(pool, WorkflowMigrations(), &applied);
  if (!status.ok()) {
    Error("migration failed", {{"error", status}});
    return 1;
  }
  Info("schema is current", {{"applied_now", static_cast<int64_t>(applied.size())},
                             {"version", static_cast<int64_t>(WorkflowMigrations().size())}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sslpanel::grpc_util::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "workflow-service [migrate] --products_file=FILE --db_host=... --db_port=... "
      "--db_name=... --db_user=... (password: --db_password_file or SSLPANEL_DB_PASSWORD)");
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const bool migrate = args.size() == 2 && std::string(args[1]) == "migrate";
  if (args.size() > 1 && !migrate) {
    Error("unknown command; the only command is \"migrate\"", {{"command", args[1]}});
    return 2;
  }

  auto server_config =
      sslpanel::grpc_util::ServerConfigFromFlags("workflow-service", "127.0.0.1:50051");
  auto db_config = sslpanel::mysql::MysqlConfigFromFlags("sslpanel_workflow");
  for (const absl::Status& status : {server_config.status(), db_config.status()}) {
    if (!status.ok()) {
      Error("bad configuration", {{"error", status}});
      return 2;
    }
  }
  auto pool = sslpanel::mysql::ConnectionPool::Create(*db_config);
  if (!pool.ok()) {
    Error("cannot reach the database", {{"database", db_config->Describe()}, {"error", pool.status()}});
    return 1;
  }
  if (migrate) {
    return Migrate(**pool);
  }
  if (absl::Status schema = sslpanel::mysql::CheckSchemaCurrent(**pool, WorkflowMigrations());
      !schema.ok()) {
    Error("refusing to start", {{"error", schema}});
    return 1;
  }
  if (absl::GetFlag(FLAGS_products_file).empty()) {
    Error("bad configuration", {{"error", "--products_file is required"}});
    return 2;
  }
  auto products = sslpanel::workflow::app::ProductCatalog::LoadFile(absl::GetFlag(FLAGS_products_file));
  if (!products.ok()) {
    Error("bad configuration", {{"error", products.status()}});
    return 2;
  }
  Info("configuration", {{"database", db_config->Describe()},
                         {"products", static_cast<int64_t>(products->all().size())}});

  sslpanel::SystemClock clock;
  sslpanel::workflow::storage::MysqlOrderRepository orders(**pool);
  sslpanel::workflow::csr::OpenSslCsrParser csr_parser;
  sslpanel::workflow::app::WorkflowApp app(orders, *products, csr_parser, clock);
  sslpanel::workflow::grpc_api::WorkflowServiceImpl service(app);

  auto host = sslpanel::grpc_util::ServerHost::Start(
      *server_config, {{&service, "sslpanel.workflow.v1.WorkflowService"}});
  if (!host.ok()) {
    Error("cannot start", {{"error", host.status()}});
    return 1;
  }
  sslpanel::grpc_util::ServeUntilSignal(**host);
  return 0;
}
