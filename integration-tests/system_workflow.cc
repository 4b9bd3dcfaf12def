// The workflow replicas of a System: starting them, and restarting them on
// a fresh or further migrated database.
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>

#include "absl/strings/str_cat.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

// Fast loops so lifecycles finish in seconds; production defaults are slower.
const std::vector<std::string>& FastWorkflowFlags() {
  static const auto* flags = new std::vector<std::string>{
      "--idle_wait=50ms", "--sweep_interval=300ms", "--poll_min=100ms", "--poll_max=1s",
      "--retry_max=1s",   "--call_timeout=10s",     "--lease=15s",      "--shutdown_grace=2s"};
  return *flags;
}

absl::StatusOr<std::string> QueryString(const mysql::MysqlConfig& config, const std::string& sql) {
  auto pool = mysql::ConnectionPool::Create(config);
  if (!pool.ok()) {
    return pool.status();
  }
  std::string value;
  absl::Status status = (*pool)->Run("query", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
    if (!rows->next()) {
      return absl::NotFoundError(absl::StrCat("no row: ", sql));
    }
    value = rows->getString(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return value;
}

absl::Status Execute(const mysql::MysqlConfig& config, const std::string& sql) {
  auto pool = mysql::ConnectionPool::Create(config);
  if (!pool.ok()) {
    return pool.status();
  }
  return (*pool)->Run("execute", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    stmt->execute(sql);
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status System::StartWorkflows(const SystemOptions& options) {
  for (int replica = 0; replica < options.workflow_replicas; ++replica) {
    auto workflow = StartWorkflow(replica, options);
    if (!workflow.ok()) {
      return workflow.status();
    }
    stubs_.push_back(v1::WorkflowService::NewStub(grpc::CreateChannel(
        (*workflow)->target(),
        credentials_ != nullptr ? credentials_ : grpc::InsecureChannelCredentials())));
    workflows_.push_back(*std::move(workflow));
  }
  return absl::OkStatus();
}

void System::StopWorkflows() {
  stubs_.clear();
  workflows_.clear();
}

absl::Status System::UseFreshWorkflowDatabase(const SystemOptions& options,
                                              bool same_installation_id) {
  auto installation = WorkflowInstallationId();
  if (!installation.ok()) {
    return installation.status();
  }
  StopWorkflows();
  auto fresh = testing::TestDatabase::Create();
  if (!fresh.ok()) {
    return fresh.status();
  }
  old_workflow_dbs_.push_back(std::move(workflow_db_));
  workflow_db_ = *std::move(fresh);
  if (absl::Status migrated = Migrate(Binaries::Workflow(), workflow_db_->config());
      !migrated.ok()) {
    return migrated;
  }
  if (same_installation_id) {
    absl::Status copied =
        Execute(workflow_db_->config(),
                absl::StrCat("UPDATE installation SET installation_id = '", *installation, "'"));
    if (!copied.ok()) {
      return copied;
    }
  }
  return StartWorkflows(options);
}

absl::Status System::MigrateWorkflowAndRestart(const SystemOptions& options,
                                               const std::vector<std::string>& args) {
  StopWorkflows();
  if (absl::Status migrated = Migrate(Binaries::Workflow(), workflow_db_->config(), args);
      !migrated.ok()) {
    return migrated;
  }
  return StartWorkflows(options);
}

absl::StatusOr<std::string> System::WorkflowInstallationId() {
  return QueryString(workflow_db_->config(),
                     "SELECT installation_id FROM installation WHERE id = 1");
}

absl::StatusOr<std::unique_ptr<RunningService>> System::StartWorkflow(
    int replica, const SystemOptions& options) {
  DbArgs db = DbArgsFor(workflow_db_->config());
  std::vector<std::string> args = db.flags;
  args.push_back(std::string("--products_file=") + SSLPANEL_SOURCE_DIR +
                 "/integration-tests/testdata/products.json");
  args.push_back(adapters_flag_);
  args.push_back("--prevalidation_address=" + prevalidation_->target());
  args.push_back(absl::StrCat("--replica_id=workflow-", replica));
  args.insert(args.end(), FastWorkflowFlags().begin(), FastWorkflowFlags().end());
  args.insert(args.end(), options.workflow_flags.begin(), options.workflow_flags.end());
  if (options.mutual_tls) {
    args.insert(args.end(), tls_server_flags_.begin(), tls_server_flags_.end());
    args.push_back("--upstream_tls_ca_file=" + tls_.ca_cert_path);
    args.push_back("--upstream_tls_cert_file=" + tls_.cert_path);
    args.push_back("--upstream_tls_key_file=" + tls_.key_path);
    if (options.authz) {
      args.push_back(PolicyFlag("workflow-service"));
    }
  }
  const std::string binary =
      options.workflow_binary.empty() ? Binaries::Workflow() : options.workflow_binary;
  return RunningService::Start(absl::StrCat("workflow-", replica), binary, args,
                               "sslpanel.workflow.v1.WorkflowService", db.env, credentials_);
}

}  // namespace sslpanel::integration
