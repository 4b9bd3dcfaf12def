#include "common/testing/test_database.h"

#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::testing {
namespace {

std::unique_ptr<sql::Connection> ConnectServer(const mysql::MysqlConfig& config) {
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString(config.host);
  options["port"] = config.port;
  options["userName"] = sql::SQLString(config.user);
  options["password"] = sql::SQLString(config.password);
  options["OPT_CONNECT_TIMEOUT"] = 5;
  return std::unique_ptr<sql::Connection>(
      sql::mysql::get_mysql_driver_instance()->connect(options));
}

}  // namespace

absl::StatusOr<mysql::MysqlConfig> TestServerConfig() {
  const char* env = std::getenv("SSLPANEL_TEST_MYSQL");
  if (env == nullptr || *env == '\0') {
    return absl::FailedPreconditionError(
        "SSLPANEL_TEST_MYSQL is not set (user:password@host:port); run the tests through "
        "scripts/test, which starts a private MariaDB");
  }
  const std::string spec(env);
  const size_t at = spec.rfind('@');
  const size_t colon_user = spec.find(':');
  const size_t colon_port = spec.rfind(':');
  mysql::MysqlConfig config;
  if (at == std::string::npos || colon_user > at || colon_port < at ||
      !absl::SimpleAtoi(spec.substr(colon_port + 1), &config.port)) {
    return absl::InvalidArgumentError("SSLPANEL_TEST_MYSQL must be user:password@host:port");
  }
  config.user = spec.substr(0, colon_user);
  config.password = spec.substr(colon_user + 1, at - colon_user - 1);
  config.host = spec.substr(at + 1, colon_port - at - 1);
  config.pool_size = 4;
  return config;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  auto config = TestServerConfig();
  if (!config.ok()) {
    return config.status();
  }
  static std::atomic<int> counter{0};
  std::random_device random;
  config->database = absl::StrCat("t_", getpid(), "_", counter++, "_", random() % 100000);
  try {
    auto conn = ConnectServer(*config);
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    stmt->execute(absl::StrCat("CREATE DATABASE `", config->database,
                               "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
  } catch (const sql::SQLException& e) {
    return absl::UnavailableError(
        absl::StrCat("test database on ", config->host, ":", config->port, ": ", e.what()));
  }
  return std::unique_ptr<TestDatabase>(new TestDatabase(*std::move(config)));
}

TestDatabase::~TestDatabase() {
  try {
    auto conn = ConnectServer(config_);
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    stmt->execute(absl::StrCat("DROP DATABASE IF EXISTS `", config_.database, "`"));
  } catch (const sql::SQLException&) {
    // The server went away; scripts/test removes its data directory anyway.
  }
}

}  // namespace sslpanel::testing
