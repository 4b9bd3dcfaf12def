// A private MariaDB server for scripts/chaos: its own data directory and a
// free loopback port, durable commits (as in production), and the faults R3
// injects (kill -9 of mariadbd, restart, InnoDB crash recovery). Started and
// stopped by PID; never touches a server it did not start.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/mysql/mysql.h"
#include "common/testing/subprocess.h"

namespace sslpanel::chaos {

class PrivateMariadb {
 public:
  // Creates (first use) and starts a server with its data under `dir`, and
  // a user with every privilege; SSLPANEL_TEST_MYSQL is set to it so the
  // harness creates its databases there.
  static absl::StatusOr<std::unique_ptr<PrivateMariadb>> Start(const std::string& dir);
  ~PrivateMariadb();

  // SIGKILL: the server dies at an arbitrary instruction.
  void KillHard();
  // Starts the server again on the same port and data (InnoDB recovers) and
  // waits until it answers.
  absl::Status Restart();
  // SIGTERM and wait (a clean shutdown).
  void Stop();

  const mysql::MysqlConfig& config() const { return config_; }
  pid_t pid() const { return process_ == nullptr ? 0 : process_->pid(); }

 private:
  PrivateMariadb() = default;
  absl::Status Launch();
  absl::Status WriteConfig(const std::string& sockdir);
  // Whether the latest start failed because its port was taken meanwhile.
  bool PortWasTaken() const;
  absl::Status RunClient(const std::string& sql);

  std::string dir_;
  std::string cnf_;
  mysql::MysqlConfig config_;
  std::unique_ptr<testing::Subprocess> process_;
};

}  // namespace sslpanel::chaos
