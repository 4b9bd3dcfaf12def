#include "chaos/src/mariadb.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration-tests/harness.h"

namespace sslpanel::chaos {
namespace {

constexpr char kUser[] = "chaos";

std::string RandomPassword() {
  std::random_device random;
  return absl::StrCat("chaos", random(), random());
}

// True once the server on 127.0.0.1:`port` sends its greeting (it listens
// only after InnoDB recovery). A socket instead of mariadb-admin: R3 polls
// this often and a process per poll would load the two cores.
bool Greets(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  char byte = 0;
  const bool greeted = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                       recv(fd, &byte, 1, 0) == 1;
  close(fd);
  return greeted;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrivateMariadb>> PrivateMariadb::Start(const std::string& dir) {
  auto db = std::unique_ptr<PrivateMariadb>(new PrivateMariadb());
  db->dir_ = dir;
  std::filesystem::create_directories(dir + "/data");
  std::filesystem::create_directories(dir + "/tmp");
  // Unix socket paths are limited to 108 bytes: keep the socket under /tmp.
  const std::string sockdir = testing::MakeTempDir("sslpanel-chaos-mdb.");
  db->cnf_ = dir + "/my.cnf";
  db->config_.host = "127.0.0.1";
  db->config_.user = kUser;
  db->config_.password = RandomPassword();
  db->config_.pool_size = 2;
  // A free port can be taken by another process before mariadbd binds it
  // (tests run side by side): a few ports are tried, each with a fresh
  // configuration.
  absl::Status launched = absl::UnavailableError("no port tried");
  for (int attempt = 0; attempt < 5 && !launched.ok(); ++attempt) {
    auto port = testing::PickFreePort();
    if (!port.ok()) {
      return port.status();
    }
    db->config_.port = *port;
    if (absl::Status written = db->WriteConfig(sockdir); !written.ok()) {
      return written;
    }
    if (!std::filesystem::exists(dir + "/data/mysql")) {
      integration::CommandResult installed = integration::RunCommand(
          {"/usr/bin/mariadb-install-db", "--defaults-file=" + db->cnf_, "--skip-test-db"});
      if (installed.exit_code != 0) {
        return absl::InternalError("mariadb-install-db failed:\n" + installed.output);
      }
    }
    launched = db->Launch();
    if (!launched.ok() && !db->PortWasTaken()) {
      return launched;
    }
  }
  if (!launched.ok()) {
    return launched;
  }
  if (absl::Status user = db->RunClient(absl::StrCat(
          "CREATE USER IF NOT EXISTS '", kUser, "'@'127.0.0.1' IDENTIFIED BY '",
          db->config_.password, "'; ALTER USER '", kUser, "'@'127.0.0.1' IDENTIFIED BY '",
          db->config_.password, "'; GRANT ALL PRIVILEGES ON *.* TO '", kUser, "'@'127.0.0.1';"));
      !user.ok()) {
    return user;
  }
  const std::string spec =
      absl::StrCat(kUser, ":", db->config_.password, "@127.0.0.1:", db->config_.port);
  setenv("SSLPANEL_TEST_MYSQL", spec.c_str(), 1);
  return db;
}

PrivateMariadb::~PrivateMariadb() { Stop(); }

absl::Status PrivateMariadb::WriteConfig(const std::string& sockdir) {
  const int port = config_.port;
  std::ofstream cnf(cnf_);
  // Durable commits and no binary log, as the production overlay runs it:
  // what R3 proves is that an acknowledged commit survives a crash.
  cnf << "[mariadbd]\ndatadir=" << dir_ << "/data\nsocket=" << sockdir
      << "/mysqld.sock\npid-file=" << dir_ << "/mysqld.pid\nport=" << port
      << "\nbind-address=127.0.0.1\nuser=root\nskip-name-resolve\nlog-error=" << dir_
      << "/mysqld.err\ntmpdir=" << dir_
      << "/tmp\ninnodb_buffer_pool_size=128M\ninnodb_log_file_size=64M\n"
         "innodb_flush_log_at_trx_commit=1\nskip-log-bin\ncharacter-set-server=utf8mb4\n"
         "collation-server=utf8mb4_unicode_ci\ndefault-time-zone=+00:00\nmax_connections=500\n"
         "[client]\nsocket="
      << sockdir << "/mysqld.sock\nport=" << port << "\n";
  cnf.close();
  if (!cnf) {
    return absl::InternalError("cannot write " + cnf_);
  }
  return absl::OkStatus();
}

bool PrivateMariadb::PortWasTaken() const {
  std::ifstream log(dir_ + "/mysqld.err");
  std::string line;
  std::string last_bind_error;
  while (std::getline(log, line)) {
    if (line.find("Address already in use") != std::string::npos) {
      last_bind_error = line;
    }
    if (line.find("Starting MariaDB") != std::string::npos) {
      last_bind_error.clear();  // only the latest start counts
    }
  }
  return !last_bind_error.empty();
}

absl::Status PrivateMariadb::Launch() {
  auto process = testing::Subprocess::Start({"/usr/sbin/mariadbd", "--defaults-file=" + cnf_},
                                            dir_ + "/mariadbd.out");
  if (!process.ok()) {
    return process.status();
  }
  process_ = *std::move(process);
  // InnoDB recovery after a kill takes a few seconds on this disk; bounded.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (absl::Now() < deadline) {
    if (!process_->Running()) {
      return absl::UnavailableError("mariadbd exited; see " + dir_ + "/mysqld.err");
    }
    if (Greets(config_.port)) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError("mariadbd did not answer within 120 s");
}

absl::Status PrivateMariadb::RunClient(const std::string& sql) {
  integration::CommandResult result =
      integration::RunCommand({"/usr/bin/mariadb", "--defaults-file=" + cnf_, "-uroot", "-e", sql});
  if (result.exit_code != 0) {
    return absl::InternalError("mariadb client: " + result.output);
  }
  return absl::OkStatus();
}

void PrivateMariadb::KillHard() {
  if (process_ != nullptr) {
    process_->Kill();
  }
}

absl::Status PrivateMariadb::Restart() {
  KillHard();
  return Launch();
}

void PrivateMariadb::Stop() {
  if (process_ != nullptr) {
    (void)process_->Terminate(absl::Seconds(120));
    process_.reset();
  }
}

}  // namespace sslpanel::chaos
