#include "integration-tests/system.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>
#include <openssl/rand.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ca-adapter/src/testing/pebble.h"
#include "common/grpc/tls.h"

namespace sslpanel::integration {
namespace {

absl::StatusOr<int64_t> CountRows(const mysql::MysqlConfig& config, const std::string& sql) {
  auto pool = mysql::ConnectionPool::Create(config);
  if (!pool.ok()) {
    return pool.status();
  }
  int64_t count = -1;
  absl::Status status = (*pool)->Run("count", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
    rows->next();
    count = rows->getInt64(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return count;
}

}  // namespace

std::string System::PolicyFlag(const std::string& service) {
  return absl::StrCat("--authz_policy_file=", SSLPANEL_SOURCE_DIR, "/config/authz/", service,
                      ".json");
}

absl::StatusOr<ca::testing::TlsServerFiles> System::WriteIdentityTlsFiles() {
  auto ca = testing::TestCa::Create("sslpanel test identity CA");
  auto other = testing::TestCa::Create("another test CA");
  if (!ca.ok() || !other.ok()) {
    return ca.ok() ? other.status() : ca.status();
  }
  test_ca_ = *ca;
  testing::CertSpec service;
  service.common_name = "localhost";
  service.sans = {"DNS:localhost", "IP:127.0.0.1", "URI:spiffe://sslpanel.local/workflow"};
  testing::CertSpec client;
  client.sans = {"URI:spiffe://sslpanel.local/ops/integration-test"};
  auto service_pair = ca->Issue(service);
  auto client_pair = ca->Issue(client);
  if (!service_pair.ok() || !client_pair.ok()) {
    return service_pair.ok() ? client_pair.status() : service_pair.status();
  }
  ca::testing::TlsServerFiles files{dir_ + "/tls-ca.pem", dir_ + "/tls-cert.pem",
                                    dir_ + "/tls-key.pem", dir_ + "/tls-other-ca.pem"};
  for (const auto& [path, pem] : std::vector<std::pair<std::string, std::string>>{
           {files.ca_cert_path, ca->ca().cert_pem},
           {files.other_ca_cert_path, other->ca().cert_pem},
           {files.cert_path, service_pair->cert_pem},
           {files.key_path, service_pair->key_pem},
           {dir_ + "/test-client-cert.pem", client_pair->cert_pem},
           {dir_ + "/test-client-key.pem", client_pair->key_pem}}) {
    if (absl::Status written = testing::WriteTextFile(path, pem); !written.ok()) {
      return written;
    }
  }
  return files;
}

bool CertificateIs(const v1::Order& order, int index, v1::CertificateStatus status,
                   v1::PendingOperation pending) {
  return order.certificates_size() > index && order.certificates(index).status() == status &&
         order.certificates(index).pending_operation() == pending;
}

absl::StatusOr<std::unique_ptr<System>> System::Start(const SystemOptions& options) {
  auto system = std::unique_ptr<System>(new System());
  system->dir_ = testing::MakeTempDir("sslpanel-system-");
  for (auto* db :
       {&system->workflow_db_, &system->sandbox_db_, &system->acme_db_, &system->sectigo_db_}) {
    auto created = testing::TestDatabase::Create();
    if (!created.ok()) {
      return created.status();
    }
    *db = *std::move(created);
  }
  if (options.mutual_tls) {
    auto tls = options.authz ? system->WriteIdentityTlsFiles()
                             : ca::testing::WriteTlsServerFiles(system->dir_);
    if (!tls.ok()) {
      return tls.status();
    }
    system->tls_ = *tls;
    system->tls_server_flags_ = {"--tls_cert_file=" + tls->cert_path,
                                 "--tls_key_file=" + tls->key_path,
                                 "--tls_client_ca_file=" + tls->ca_cert_path};
    system->credentials_ =
        options.authz
            ? grpc_util::ChannelCredentialsFor({tls->ca_cert_path,
                                                system->dir_ + "/test-client-cert.pem",
                                                system->dir_ + "/test-client-key.pem"})
            : grpc_util::ChannelCredentialsFor({tls->ca_cert_path, tls->cert_path, tls->key_path});
  }
  // Every service's arguments with the TLS flags (when on) appended, and
  // its default policy with authz.
  auto with_tls = [&system, &options](std::vector<std::string> args,
                                      const std::string& policy = "") {
    args.insert(args.end(), system->tls_server_flags_.begin(), system->tls_server_flags_.end());
    if (options.mutual_tls && options.authz && !policy.empty()) {
      args.push_back(PolicyFlag(policy));
    }
    return args;
  };

  // Fake KvK and RDAP registries on free ports.
  const std::string kvk_port_file = system->dir_ + "/kvk.port";
  const std::string rdap_port_file = system->dir_ + "/rdap.port";
  auto fakes = testing::Subprocess::Start(
      {Binaries::FakeRegistries(), "--kvk_listen=127.0.0.1:0", "--rdap_listen=127.0.0.1:0",
       "--kvk_port_file=" + kvk_port_file, "--rdap_port_file=" + rdap_port_file,
       std::string("--testdata_dir=") + SSLPANEL_SOURCE_DIR + "/prevalidation-service/testdata"},
      system->dir_ + "/fake-registries.log");
  if (!fakes.ok()) {
    return fakes.status();
  }
  system->fakes_ = *std::move(fakes);
  auto kvk_port = testing::WaitForPortFile(kvk_port_file, *system->fakes_);
  auto rdap_port = testing::WaitForPortFile(rdap_port_file, *system->fakes_);
  if (!kvk_port.ok() || !rdap_port.ok()) {
    return absl::UnavailableError(absl::StrCat("fake registries: ", kvk_port.status().message(),
                                               rdap_port.status().message()));
  }

  std::vector<std::string> prevalidation_args = {
      absl::StrCat("--kvk_base_url=http://127.0.0.1:", *kvk_port, "/api"),
      absl::StrCat("--rdap_base_url=http://127.0.0.1:", *rdap_port),
      std::string("--phone_directory_file=") + SSLPANEL_SOURCE_DIR +
          "/prevalidation-service/testdata/phone_directory.json"};
  prevalidation_args.insert(prevalidation_args.end(), options.prevalidation_flags.begin(),
                            options.prevalidation_flags.end());
  auto prevalidation = RunningService::Start("prevalidation", Binaries::Prevalidation(),
                                             with_tls(prevalidation_args, "prevalidation-service"),
                                             "sslpanel.prevalidation.v1.PrevalidationService", {},
                                             system->credentials_);
  if (!prevalidation.ok()) {
    return prevalidation.status();
  }
  system->prevalidation_ = *std::move(prevalidation);

  system->sandbox_ca_dir_ = system->dir_ + "/sandbox-ca";
  DbArgs sandbox_db = DbArgsFor(system->sandbox_db_->config());
  std::vector<std::string> sandbox_args = sandbox_db.flags;
  sandbox_args.push_back("--auto_migrate");
  sandbox_args.push_back("--ca_dir=" + system->sandbox_ca_dir_);
  sandbox_args.push_back("--issue_delay=0s");
  sandbox_args.insert(sandbox_args.end(), options.sandbox_flags.begin(),
                      options.sandbox_flags.end());
  auto sandbox = RunningService::Start(
      "ca-sandbox", Binaries::CaSandbox(), with_tls(sandbox_args, "ca-adapter"),
      "sslpanel.ca.v1.CaAdapterService", sandbox_db.env, system->credentials_);
  if (!sandbox.ok()) {
    return sandbox.status();
  }
  system->sandbox_ = *std::move(sandbox);
  system->adapters_flag_ = "--ca_adapters=sandbox=" + system->sandbox_->target();

  if (options.with_acme) {
    auto pebble = ca::testing::Pebble::Start({});
    if (!pebble.ok()) {
      return pebble.status();
    }
    DbArgs acme_db = DbArgsFor(system->acme_db_->config());
    std::vector<std::string> acme_args = acme_db.flags;
    acme_args.push_back("--auto_migrate");
    acme_args.push_back("--directory_url=" + (*pebble)->directory_url());
    acme_args.push_back("--ca_bundle=" + (*pebble)->tls_ca_file());
    // Pebble validates every challenge at once (PEBBLE_VA_ALWAYS_VALID):
    // nothing to look up before answering it.
    acme_args.push_back("--challenge_preflight=false");
    // As in production, the account key is stored encrypted (secrets at rest).
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) {
      return absl::InternalError("no random bytes for the secrets key");
    }
    const std::string key_file = system->dir_ + "/acme-secrets.key";
    std::ofstream(key_file) << absl::Base64Escape(
        absl::string_view(reinterpret_cast<const char*>(key), sizeof key));
    acme_args.push_back("--secrets_key_file=" + key_file);
    auto acme =
        RunningService::Start("ca-acme", Binaries::CaAcme(), with_tls(acme_args, "ca-adapter"),
                              "sslpanel.ca.v1.CaAdapterService", acme_db.env, system->credentials_);
    if (!acme.ok()) {
      return acme.status();
    }
    system->acme_ = *std::move(acme);
    system->adapters_flag_ += ",acme=" + system->acme_->target();
    system->pebble_holder_ = std::move(*pebble);
  }

  if (options.with_sectigo) {
    if (absl::Status started = system->StartSectigo(options, with_tls); !started.ok()) {
      return started;
    }
  }

  if (absl::Status migrated = Migrate(Binaries::Workflow(), system->workflow_db_->config());
      !migrated.ok()) {
    return migrated;
  }
  if (absl::Status started = system->StartWorkflows(options); !started.ok()) {
    return started;
  }
  return system;
}

absl::Status System::StartSectigo(
    const SystemOptions& options,
    const std::function<std::vector<std::string>(std::vector<std::string>, const std::string&)>&
        with_tls) {
  // The fake with its default throw-away account (sslpanel /
  // sslpanel-fake-password), plain HTTP on a free port.
  const std::string port_file = dir_ + "/sectigo-fake.port";
  std::vector<std::string> fake_args = {Binaries::SectigoFake(), "--listen=127.0.0.1:0",
                                        "--port_file=" + port_file,
                                        "--ca_dir=" + dir_ + "/sectigo-fake-ca"};
  fake_args.insert(fake_args.end(), options.sectigo_fake_flags.begin(),
                   options.sectigo_fake_flags.end());
  auto fake = testing::Subprocess::Start(fake_args, dir_ + "/sectigo-fake.log");
  if (!fake.ok()) {
    return fake.status();
  }
  sectigo_fake_ = *std::move(fake);
  auto port = testing::WaitForPortFile(port_file, *sectigo_fake_);
  if (!port.ok()) {
    return absl::UnavailableError(absl::StrCat("sectigo-fake: ", port.status().message()));
  }
  sectigo_fake_port_ = *port;
  const std::string password_file = dir_ + "/sectigo-password";
  if (absl::Status written = testing::WriteTextFile(password_file, "sslpanel-fake-password\n");
      !written.ok()) {
    return written;
  }
  DbArgs db = DbArgsFor(sectigo_db_->config());
  std::vector<std::string> args = db.flags;
  args.push_back("--auto_migrate");
  args.push_back(absl::StrCat("--base_url=http://127.0.0.1:", sectigo_fake_port_, "/products/"));
  args.push_back("--login_name=sslpanel");
  args.push_back("--login_password_file=" + password_file);
  args.push_back("--ca_request_timeout=5s");
  // A local fake: status may be asked as often as the workflow polls.
  args.push_back("--allow_fast_polling");
  args.push_back("--min_poll_interval=0s");
  // The fake's report is complete: an empty lookup may mean "send again".
  args.push_back("--trust_empty_lookup");
  args.push_back("--send_settle=0s");
  auto sectigo =
      RunningService::Start("ca-sectigo", Binaries::CaSectigo(), with_tls(args, "ca-adapter"),
                            "sslpanel.ca.v1.CaAdapterService", db.env, credentials_);
  if (!sectigo.ok()) {
    return sectigo.status();
  }
  sectigo_ = *std::move(sectigo);
  adapters_flag_ += ",sectigo=" + sectigo_->target();
  return absl::OkStatus();
}

System::~System() {
  // Clients first, then the services in reverse dependency order.
  stubs_.clear();
  workflows_.clear();
  acme_.reset();
  sectigo_.reset();
  sectigo_fake_.reset();
  pebble_holder_.reset();
  sandbox_.reset();
  prevalidation_.reset();
  fakes_.reset();
}

absl::StatusOr<int64_t> System::SandboxOrderCount() {
  return CountRows(sandbox_db_->config(), "SELECT COUNT(*) FROM sandbox_orders");
}

absl::StatusOr<int64_t> System::AcmeAccountKeys(const std::string& like) {
  return CountRows(
      acme_db_->config(),
      absl::StrCat("SELECT COUNT(*) FROM acme_accounts WHERE account_key_pem LIKE '", like, "'"));
}

absl::StatusOr<int64_t> System::SandboxDistinctKeys() {
  return CountRows(sandbox_db_->config(),
                   "SELECT COUNT(DISTINCT idempotency_key) FROM sandbox_orders");
}

absl::StatusOr<v1::Order> System::WaitFor(const std::string& order_id,
                                          const std::function<bool(const v1::Order&)>& done,
                                          const std::string& what, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  v1::Order last;
  std::string error;
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    v1::GetOrderResponse response;
    grpc::Status status = workflow().GetOrder(&context, request, &response);
    if (status.ok()) {
      last = response.order();
      if (done(last)) {
        return last;
      }
    } else {
      error = status.error_message();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "order ", order_id, " never became ", what, " within ", absl::FormatDuration(timeout),
      "; last seen: ", last.ShortDebugString(), error.empty() ? "" : " error: ", error));
}

}  // namespace sslpanel::integration
