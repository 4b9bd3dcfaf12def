#include "workflow-service/src/storage/order_snapshots.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <istream>
#include <memory>
#include <sstream>

namespace sslpanel::workflow::storage {

void WriteOrderSnapshot(mysql::ConnectionPool& pool, sql::Connection& conn,
                        const app::OrderRecord& record, const OrderSnapshotEncoder& encode,
                        absl::Time now) {
  std::istringstream bytes(encode(record));
  mysql::Statement stmt = pool.Prepare(
      conn,
      "REPLACE INTO order_snapshots (order_id, version, snapshot, created_at) VALUES (?, ?, ?, ?)");
  stmt->setInt64(1, record.order.id);
  stmt->setInt64(2, record.order.version);
  stmt->setBlob(3, &bytes);
  stmt->setDateTime(4, mysql::ToSqlTime(now));
  stmt->executeUpdate();
}

absl::StatusOr<std::optional<std::string>> GetSnapshot(mysql::ConnectionPool& pool,
                                                       int64_t order_id, int64_t version) {
  std::optional<std::string> snapshot;
  absl::Status status = pool.Run("read order snapshot", [&](sql::Connection& conn) {
    mysql::Statement stmt = pool.Prepare(
        conn, "SELECT snapshot FROM order_snapshots WHERE order_id = ? AND version = ?");
    stmt->setInt64(1, order_id);
    stmt->setInt64(2, version);
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
    if (rows->next()) {
      std::unique_ptr<std::istream> blob(rows->getBlob(1));
      std::ostringstream out;
      out << blob->rdbuf();
      snapshot = out.str();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return snapshot;
}

absl::StatusOr<int64_t> PurgeSnapshots(mysql::ConnectionPool& pool, absl::Time before, int limit) {
  int64_t purged = 0;
  absl::Status status = pool.Run("purge order snapshots", [&](sql::Connection& conn) {
    mysql::Statement stmt =
        pool.Prepare(conn, "DELETE FROM order_snapshots WHERE created_at < ? LIMIT ?");
    stmt->setDateTime(1, mysql::ToSqlTime(before));
    stmt->setInt(2, limit);
    purged = stmt->executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return purged;
}

}  // namespace sslpanel::workflow::storage
