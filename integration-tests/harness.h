// Starts the real service binaries for end-to-end tests: on free ports (each
// binary binds port 0 and reports the port through --port_file), in
// dependency order, waiting for grpc.health.v1 SERVING; stopped by PID.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/mysql.h"
#include "common/testing/subprocess.h"

namespace grpc {
class ChannelCredentials;
}  // namespace grpc

namespace sslpanel::integration {

// Paths of the binaries under test (from the build).
struct Binaries {
  static std::string Workflow();
  static std::string Prevalidation();
  static std::string FakeRegistries();
  static std::string CaSandbox();
  static std::string CaAcme();
  static std::string CaSectigo();
  static std::string SectigoFake();
  // The shipped product catalogue.
  static std::string ProductsFile();
  // buf from npm (SSLPANEL_BUF or the repository's node_modules).
  static std::string Buf();
};

class RunningService {
 public:
  // Starts `binary` with `args` plus --listen=127.0.0.1:0 and --port_file,
  // and waits until health reports `health_service` SERVING (asked with
  // `credentials` when the service serves TLS).
  static absl::StatusOr<std::unique_ptr<RunningService>> Start(
      const std::string& name, const std::string& binary, std::vector<std::string> args,
      const std::string& health_service, std::vector<std::string> env = {},
      std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

  const std::string& target() const { return target_; }
  int port() const { return port_; }
  testing::Subprocess& process() { return *process_; }
  // SIGKILL then start again with the same arguments on the same port.
  absl::Status Restart(bool kill_hard);

 private:
  RunningService() = default;
  absl::Status Launch();

  std::string name_;
  std::string binary_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string health_service_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string dir_;
  std::string listen_;
  int port_ = 0;
  std::string target_;
  std::unique_ptr<testing::Subprocess> process_;
};

// The --db_* flags and the password environment entry for a database.
struct DbArgs {
  std::vector<std::string> flags;
  std::vector<std::string> env;
};
DbArgs DbArgsFor(const mysql::MysqlConfig& config);

// Runs a command, returns its exit code and combined output.
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

// Applies a service's migrations with its own "migrate" command.
// `extra_args` follow the database flags (e.g. --new_installation_id).
absl::Status Migrate(const std::string& binary, const mysql::MysqlConfig& config,
                     const std::vector<std::string>& extra_args = {});

}  // namespace sslpanel::integration
