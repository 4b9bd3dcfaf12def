#include "integration-tests/authz_fingerprint.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace sslpanel::integration {

std::string TableChecksums(const mysql::MysqlConfig& config,
                           const std::vector<std::string>& tables) {
  auto pool = mysql::ConnectionPool::Create(config);
  EXPECT_TRUE(pool.ok()) << pool.status();
  if (!pool.ok()) {
    return "";
  }
  std::string value;
  const absl::Status read = (*pool)->Run("fingerprint", [&](sql::Connection& conn) {
    value.clear();
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    // EXTENDED: a row-by-row checksum of every column, whatever the
    // engine keeps as a live checksum.
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(
        absl::StrCat("CHECKSUM TABLE ", absl::StrJoin(tables, ", "), " EXTENDED")));
    while (rows->next()) {
      const std::string table = rows->getString(1);
      const std::string checksum = rows->isNull(2) ? "missing" : std::string(rows->getString(2));
      absl::StrAppend(&value, table, "=", checksum, " ");
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(read.ok()) << read;
  EXPECT_EQ(value.find("missing"), std::string::npos) << "a table is missing: " << value;
  return value;
}

std::string WorkflowFingerprint(const mysql::MysqlConfig& config) {
  // Not webhook_dispatch_cursor: the dispatcher renews its lease there
  // every second whatever the API does.
  return TableChecksums(
      config,
      {"orders", "certificates", "order_events", "prevalidation_reports", "request_ids", "outbox",
       "order_snapshots", "webhook_subscriptions", "webhook_deliveries", "webhook_requests"});
}

std::string SandboxFingerprint(const mysql::MysqlConfig& config) {
  return TableChecksums(config, {"ca_idempotency", "sandbox_orders"});
}

}  // namespace sslpanel::integration
