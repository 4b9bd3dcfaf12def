#include "bench/src/seed.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sslpanel::bench {
namespace {

constexpr int64_t kChunk = 200000;

std::vector<std::string> Columns(sql::Connection& conn, const std::string& db,
                                 const std::string& table) {
  std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = ?"
      " AND table_name = ? ORDER BY ordinal_position"));
  stmt->setString(1, db);
  stmt->setString(2, table);
  std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
  std::vector<std::string> columns;
  while (rows->next()) {
    columns.push_back(rows->getString(1));
  }
  return columns;
}

std::vector<int64_t> Ids(sql::Statement& stmt, const std::string& sql) {
  std::unique_ptr<sql::ResultSet> rows(stmt.executeQuery(sql));
  std::vector<int64_t> ids;
  while (rows->next()) {
    ids.push_back(rows->getInt64(1));
  }
  return ids;
}

// INSERT INTO target.table (columns but `id` when omitted) SELECT with the
// substitutions, for template rows `where` and sequence numbers lo..hi.
std::string CopySql(const std::string& target_db, const std::string& source_db,
                    const std::string& table, const std::vector<std::string>& columns,
                    const std::map<std::string, std::string>& substitute, bool keep_id,
                    const std::string& where, int64_t lo, int64_t hi) {
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (const std::string& column : columns) {
    if (column == "id" && !keep_id) {
      continue;
    }
    names.push_back(absl::StrCat("`", column, "`"));
    auto it = substitute.find(column);
    values.push_back(it != substitute.end() ? it->second : absl::StrCat("t.`", column, "`"));
  }
  return absl::StrCat("INSERT INTO `", target_db, "`.`", table, "` (", absl::StrJoin(names, ", "),
                      ") SELECT ", absl::StrJoin(values, ", "), " FROM seq_", lo, "_to_", hi,
                      " s JOIN `", source_db, "`.`", table, "` t ON ", where, " ORDER BY s.seq");
}

}  // namespace

absl::Status CloneOrders(const mysql::MysqlConfig& target, const std::string& source_db,
                         int64_t template_id, int64_t count) {
  mysql::MysqlConfig config = target;
  config.pool_size = 1;
  config.query_timeout = absl::Minutes(10);
  auto pool = mysql::ConnectionPool::Create(config);
  if (!pool.ok()) {
    return pool.status();
  }
  const std::string& db = target.database;
  return (*pool)->Run("clone orders", [&](sql::Connection& conn) -> absl::Status {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    const std::string of_template = absl::StrCat(" WHERE order_id = ", template_id, " ORDER BY id");
    const std::vector<int64_t> certs =
        Ids(*stmt, absl::StrCat("SELECT id FROM `", source_db, "`.certificates", of_template));
    if (certs.size() != 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("template order ", template_id, " has ", certs.size(), " certificates"));
    }
    // Bulk load: each chunk is one transaction.
    stmt->execute("SET SESSION unique_checks = 0");
    for (int64_t lo = 1; lo <= count; lo += kChunk) {
      const int64_t hi = std::min(count, lo + kChunk - 1);
      conn.setAutoCommit(false);
      stmt->execute(CopySql(db, source_db, "orders", Columns(conn, db, "orders"),
                            {{"id", "s.seq"}, {"external_order_id", "CONCAT('seed-', s.seq)"}},
                            true, absl::StrCat("t.id = ", template_id), lo, hi));
      stmt->execute(CopySql(db, source_db, "certificates", Columns(conn, db, "certificates"),
                            {{"id", "s.seq"}, {"order_id", "s.seq"}}, true,
                            absl::StrCat("t.id = ", certs[0]), lo, hi));
      // One statement per template row keeps each order's rows in id order.
      for (const std::string table : {"order_events", "outbox", "prevalidation_reports"}) {
        std::map<std::string, std::string> substitute = {{"order_id", "s.seq"},
                                                         {"certificate_id", "s.seq"}};
        if (std::string(table) == "outbox") {
          substitute["idempotency_key"] = "CONCAT(t.idempotency_key, '-seed-', s.seq)";
        }
        const std::vector<int64_t> rows =
            Ids(*stmt, absl::StrCat("SELECT id FROM `", source_db, "`.", table, of_template));
        for (int64_t row : rows) {
          stmt->execute(CopySql(db, source_db, table, Columns(conn, db, table), substitute, false,
                                absl::StrCat("t.id = ", row), lo, hi));
        }
      }
      conn.commit();
      conn.setAutoCommit(true);
    }
    stmt->execute("SET SESSION unique_checks = 1");
    stmt->execute(absl::StrCat("ANALYZE TABLE `", db, "`.orders, `", db, "`.certificates, `", db,
                               "`.order_events, `", db, "`.outbox"));
    return absl::OkStatus();
  });
}

absl::StatusOr<TableSizes> SizeOf(const mysql::MysqlConfig& target) {
  mysql::MysqlConfig config = target;
  config.pool_size = 1;
  auto pool = mysql::ConnectionPool::Create(config);
  if (!pool.ok()) {
    return pool.status();
  }
  TableSizes sizes;
  absl::Status status = (*pool)->Run("table sizes", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery("SELECT COUNT(*) FROM orders"));
    rows->next();
    sizes.orders = rows->getInt64(1);
    std::unique_ptr<sql::PreparedStatement> bytes(conn.prepareStatement(
        "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables"
        " WHERE table_schema = ?"));
    bytes->setString(1, target.database);
    std::unique_ptr<sql::ResultSet> b(bytes->executeQuery());
    b->next();
    sizes.bytes = b->getInt64(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return sizes;
}

}  // namespace sslpanel::bench
