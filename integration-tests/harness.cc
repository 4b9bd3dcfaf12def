#include "integration-tests/harness.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/testing/health.h"

namespace sslpanel::integration {

std::string Binaries::Workflow() { return SSLPANEL_WORKFLOW_BIN; }
std::string Binaries::Prevalidation() { return SSLPANEL_PREVALIDATION_BIN; }
std::string Binaries::FakeRegistries() { return SSLPANEL_FAKE_REGISTRIES_BIN; }
std::string Binaries::CaSandbox() { return SSLPANEL_CA_SANDBOX_BIN; }
std::string Binaries::CaAcme() { return SSLPANEL_CA_ACME_BIN; }
std::string Binaries::CaSectigo() { return SSLPANEL_CA_SECTIGO_BIN; }
std::string Binaries::SectigoFake() { return SSLPANEL_SECTIGO_FAKE_BIN; }
std::string Binaries::ProductsFile() {
  return SSLPANEL_SOURCE_DIR "/workflow-service/config/products.json";
}
std::string Binaries::Buf() {
  const char* env = std::getenv("SSLPANEL_BUF");
  return env != nullptr && *env != '\0' ? env : SSLPANEL_SOURCE_DIR "/node_modules/.bin/buf";
}

absl::StatusOr<std::unique_ptr<RunningService>> RunningService::Start(
    const std::string& name, const std::string& binary, std::vector<std::string> args,
    const std::string& health_service, std::vector<std::string> env,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  auto service = std::unique_ptr<RunningService>(new RunningService());
  service->env_ = std::move(env);
  service->credentials_ = std::move(credentials);
  service->name_ = name;
  service->binary_ = binary;
  service->args_ = std::move(args);
  service->health_service_ = health_service;
  service->dir_ = testing::MakeTempDir("sslpanel-" + name + "-");
  service->listen_ = "127.0.0.1:0";
  if (absl::Status started = service->Launch(); !started.ok()) {
    return started;
  }
  // A restart must come back on the same port so clients keep their target.
  service->listen_ = absl::StrCat("127.0.0.1:", service->port_);
  return service;
}

absl::Status RunningService::Launch() {
  const std::string port_file = dir_ + "/port";
  std::remove(port_file.c_str());
  std::vector<std::string> argv = {binary_};
  argv.insert(argv.end(), args_.begin(), args_.end());
  argv.push_back("--listen=" + listen_);
  argv.push_back("--port_file=" + port_file);
  auto process = testing::Subprocess::Start(argv, dir_ + "/" + name_ + ".log", env_);
  if (!process.ok()) {
    return process.status();
  }
  process_ = *std::move(process);
  auto port = testing::WaitForPortFile(port_file, *process_);
  if (!port.ok()) {
    return port.status();
  }
  port_ = *port;
  target_ = absl::StrCat("127.0.0.1:", port_);
  absl::Status serving =
      testing::WaitForServing(target_, health_service_, absl::Seconds(30), credentials_);
  if (!serving.ok()) {
    return absl::UnavailableError(
        absl::StrCat(name_, ": ", serving.message(), "\n", process_->Log()));
  }
  return absl::OkStatus();
}

absl::Status RunningService::Restart(bool kill_hard) {
  if (kill_hard) {
    process_->Kill();
  } else if (auto code = process_->Terminate(); !code.ok()) {
    return code.status();
  }
  return Launch();
}

DbArgs DbArgsFor(const mysql::MysqlConfig& config) {
  return DbArgs{{"--db_host=" + config.host, absl::StrCat("--db_port=", config.port),
                 "--db_name=" + config.database, "--db_user=" + config.user},
                {"SSLPANEL_DB_PASSWORD=" + config.password}};
}

absl::Status Migrate(const std::string& binary, const mysql::MysqlConfig& config,
                     const std::vector<std::string>& extra_args) {
  const DbArgs db = DbArgsFor(config);
  std::vector<std::string> argv = {binary, "migrate"};
  argv.insert(argv.end(), db.flags.begin(), db.flags.end());
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  CommandResult result = RunCommand(argv, db.env);
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(binary, " migrate failed:\n", result.output));
  }
  return absl::OkStatus();
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env) {
  const std::string out_path = testing::MakeTempDir("sslpanel-cmd-") + "/out";
  auto process = testing::Subprocess::Start(argv, out_path, env);
  if (!process.ok()) {
    return {-1, std::string(process.status().message())};
  }
  auto code = (*process)->Wait(absl::Seconds(60));
  return {code.ok() ? *code : -1, (*process)->Log()};
}

}  // namespace sslpanel::integration
