// The whole system for end-to-end tests: fresh databases on the test
// MariaDB, the fake KvK/RDAP registries, the prevalidation service, the
// sandbox CA adapter (optionally Pebble and the ACME adapter) and one or more
// workflow replicas, all real binaries on free loopback ports. Tests drive
// it through the public gRPC API only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "common/testing/test_certs.h"
#include "common/testing/test_database.h"
#include "integration-tests/harness.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"

namespace grpc {
class ChannelCredentials;
}  // namespace grpc

namespace sslpanel::ca::testing {
class Pebble;
}  // namespace sslpanel::ca::testing

namespace sslpanel::integration {

namespace v1 = ::sslpanel::workflow::v1;

struct SystemOptions {
  int workflow_replicas = 1;
  bool with_acme = false;
  // Also the sectigo-fake binary (plain HTTP on a free loopback port) and
  // ca-adapter-sectigo on it, as adapter "sectigo" (products sectigo-*).
  bool with_sectigo = false;
  // Extra flags for the sectigo-fake (default: --validation=manual, so an
  // order waits for DCV until the test validates it).
  std::vector<std::string> sectigo_fake_flags = {"--validation=manual"};
  // Extra flags for the sandbox adapter (e.g. --issue_delay=2s).
  std::vector<std::string> sandbox_flags;
  // Extra flags for every workflow replica.
  std::vector<std::string> workflow_flags;
  // Another workflow-service binary (the benchmark's previous build); empty:
  // this build's. The database is migrated with this build's.
  std::string workflow_binary;
  // Extra flags for the prevalidation service.
  std::vector<std::string> prevalidation_flags;
  // Every service serves mutual TLS (--tls_*), the workflow calls the others
  // with its client certificate (--upstream_tls_*), and the test's stubs
  // present one too.
  bool mutual_tls = false;
  // With mutual_tls: the certificates carry identities and every service
  // runs with its default policy (config/authz/<service>.json). The
  // services present spiffe://sslpanel.local/workflow (the adapters' and
  // prevalidation's only caller), the test's stubs
  // spiffe://sslpanel.local/ops/integration-test.
  bool authz = false;
};

class System {
 public:
  static absl::StatusOr<std::unique_ptr<System>> Start(const SystemOptions& options);
  ~System();

  // A stub for workflow replica `replica`.
  v1::WorkflowService::Stub& workflow(int replica = 0) { return *stubs_[replica]; }
  RunningService& workflow_process(int replica = 0) { return *workflows_[replica]; }
  RunningService& sandbox() { return *sandbox_; }
  RunningService& prevalidation() { return *prevalidation_; }
  // With with_sectigo: the adapter, and the fake's port (its admin endpoints
  // are under http://127.0.0.1:<port>/fake/).
  RunningService& sectigo() { return *sectigo_; }
  int sectigo_fake_port() const { return sectigo_fake_port_; }
  int workflow_replicas() const { return static_cast<int>(workflows_.size()); }
  // The databases of the workflow and of the sandbox adapter, for checks
  // that read them directly (scripts/chaos).
  const mysql::MysqlConfig& workflow_db() const { return workflow_db_->config(); }
  const mysql::MysqlConfig& sandbox_db() const { return sandbox_db_->config(); }
  const std::string& sandbox_ca_dir() const { return sandbox_ca_dir_; }
  // With mutual_tls: the CA, the certificate every service and the test use,
  // and a CA that signed nothing of it.
  const ca::testing::TlsServerFiles& tls() const { return tls_; }
  // With authz: the CA that issued every certificate, to issue more.
  const testing::TestCa& test_ca() const { return test_ca_; }
  const std::string& dir() const { return dir_; }

  // A second workflow installation on the same adapters: stops the workflow
  // replicas, starts them again on a fresh, migrated database; the adapters
  // keep what they served. With `same_installation_id` the new database takes
  // the old one's installation id, as a restored backup or a copy would.
  absl::Status UseFreshWorkflowDatabase(const SystemOptions& options, bool same_installation_id);
  // Runs `workflow-service migrate` with `args` (e.g. --new_installation_id)
  // on the current workflow database, then restarts the replicas.
  absl::Status MigrateWorkflowAndRestart(const SystemOptions& options,
                                         const std::vector<std::string>& args);
  // The current workflow database's installation id.
  absl::StatusOr<std::string> WorkflowInstallationId();

  // CA orders the sandbox has ever created (one row per idempotency key).
  absl::StatusOr<int64_t> SandboxOrderCount();
  absl::StatusOr<int64_t> SandboxDistinctKeys();
  // With with_acme: the ACME adapter's stored account keys whose stored text
  // is LIKE `like` (a trusted pattern, e.g. 'v1:%').
  absl::StatusOr<int64_t> AcmeAccountKeys(const std::string& like);

  // Polls GetOrder until `done` holds, failing after `timeout` with the last
  // state seen and `what`.
  absl::StatusOr<v1::Order> WaitFor(const std::string& order_id,
                                    const std::function<bool(const v1::Order&)>& done,
                                    const std::string& what,
                                    absl::Duration timeout = absl::Seconds(30));

 private:
  System() = default;
  // --authz_policy_file naming `service`'s policy in config/authz.
  static std::string PolicyFlag(const std::string& service);
  // system_workflow.cc: the workflow replicas.
  // The PKI of SystemOptions::authz; sets test_ca_.
  absl::StatusOr<ca::testing::TlsServerFiles> WriteIdentityTlsFiles();
  absl::StatusOr<std::unique_ptr<RunningService>> StartWorkflow(int replica,
                                                                const SystemOptions& options);
  // Starts options.workflow_replicas replicas and their stubs.
  absl::Status StartWorkflows(const SystemOptions& options);
  void StopWorkflows();
  // The sectigo-fake and ca-adapter-sectigo (SystemOptions::with_sectigo);
  // `with_tls` appends a service's TLS flags and policy.
  absl::Status StartSectigo(
      const SystemOptions& options,
      const std::function<std::vector<std::string>(std::vector<std::string>, const std::string&)>&
          with_tls);

  std::unique_ptr<testing::TestDatabase> workflow_db_;
  // Workflow databases replaced by UseFreshWorkflowDatabase, dropped at the end.
  std::vector<std::unique_ptr<testing::TestDatabase>> old_workflow_dbs_;
  std::unique_ptr<testing::TestDatabase> sandbox_db_;
  std::unique_ptr<testing::TestDatabase> acme_db_;
  std::unique_ptr<testing::TestDatabase> sectigo_db_;
  std::unique_ptr<testing::Subprocess> sectigo_fake_;
  int sectigo_fake_port_ = 0;
  std::unique_ptr<testing::Subprocess> fakes_;
  std::unique_ptr<ca::testing::Pebble> pebble_holder_;
  std::string dir_;
  std::string sandbox_ca_dir_;
  std::unique_ptr<RunningService> prevalidation_;
  std::unique_ptr<RunningService> sandbox_;
  std::unique_ptr<RunningService> acme_;
  std::unique_ptr<RunningService> sectigo_;
  std::vector<std::unique_ptr<RunningService>> workflows_;
  std::vector<std::unique_ptr<v1::WorkflowService::Stub>> stubs_;
  std::string adapters_flag_;
  ca::testing::TlsServerFiles tls_;
  testing::TestCa test_ca_;
  std::vector<std::string> tls_server_flags_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
};

// Order predicates for WaitFor.
bool CertificateIs(const v1::Order& order, int index, v1::CertificateStatus status,
                   v1::PendingOperation pending = v1::PENDING_OPERATION_NONE);

}  // namespace sslpanel::integration
