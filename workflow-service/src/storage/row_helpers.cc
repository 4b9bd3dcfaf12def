#include "workflow-service/src/storage/row_helpers.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

namespace sslpanel::workflow::storage {

std::optional<absl::Time> TimeOrNull(const Rows& rows, const char* column) {
  if (rows->isNull(column)) {
    return std::nullopt;
  }
  return mysql::FromSqlTime(Str(rows, column));
}

absl::Status ForEachRow(mysql::ConnectionPool& pool, absl::string_view what,
                        const std::string& select,
                        const std::function<void(sql::PreparedStatement&)>& bind,
                        const std::function<void(const Rows&)>& read) {
  return pool.Run(what, [&](sql::Connection& conn) {
    mysql::Statement stmt = pool.Prepare(conn, select);
    bind(*stmt);
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      read(rows);
    }
    return absl::OkStatus();
  });
}

absl::Status ForEachRowById(mysql::ConnectionPool& pool, absl::string_view what,
                            const std::string& select, int64_t id,
                            const std::function<void(const Rows&)>& read) {
  return ForEachRow(
      pool, what, select, [&](sql::PreparedStatement& stmt) { stmt.setInt64(1, id); }, read);
}

}  // namespace sslpanel::workflow::storage
