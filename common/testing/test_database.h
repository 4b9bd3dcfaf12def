// A fresh, empty MySQL database per test, on the server scripts/test starts.
// The server is named by SSLPANEL_TEST_MYSQL ("user:password@host:port"). When
// it is missing the test fails: storage tests never skip silently.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/mysql/mysql.h"

namespace sslpanel::testing {

class TestDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();  // drops the database

  const mysql::MysqlConfig& config() const { return config_; }

 private:
  explicit TestDatabase(mysql::MysqlConfig config) : config_(std::move(config)) {}
  mysql::MysqlConfig config_;
};

// Parses SSLPANEL_TEST_MYSQL into a configuration without a database name.
absl::StatusOr<mysql::MysqlConfig> TestServerConfig();

}  // namespace sslpanel::testing
