#include "workflow-service/src/storage/installation.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "workflow-service/src/app/idempotency_keys.h"

namespace sslpanel::workflow::storage {
namespace {

using Rows = std::unique_ptr<sql::ResultSet>;

// The stored id, empty when there is no row.
std::string ReadId(mysql::ConnectionPool& pool, sql::Connection& conn, bool for_update) {
  mysql::Statement stmt =
      pool.Prepare(conn, absl::StrCat("SELECT installation_id FROM installation WHERE id = 1",
                                      for_update ? " FOR UPDATE" : ""));
  Rows rows(stmt->executeQuery());
  return rows->next() ? std::string(rows->getString(1)) : std::string();
}

// Inserts the row with `id`; with `first_wins`, a concurrent insert that
// got there first is kept (portable upsert, MySQL 8 and MariaDB).
void InsertId(mysql::ConnectionPool& pool, sql::Connection& conn, const std::string& id,
              absl::Time now, bool first_wins) {
  mysql::Statement insert =
      pool.Prepare(conn, absl::StrCat("INSERT INTO installation (id, installation_id, created_at,"
                                      " updated_at) VALUES (1, ?, ?, ?)",
                                      first_wins ? " ON DUPLICATE KEY UPDATE id = id" : ""));
  insert->setString(1, id);
  insert->setDateTime(2, mysql::ToSqlTime(now));
  insert->setDateTime(3, mysql::ToSqlTime(now));
  insert->executeUpdate();
}

absl::Status Malformed(const std::string& id) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the installation table holds a malformed id (", app::CheckInstallationId(id).message(),
      "); fix it with `workflow-service migrate --new_installation_id`"));
}

}  // namespace

absl::StatusOr<std::string> EnsureInstallationId(mysql::ConnectionPool& pool,
                                                 const std::string& candidate, absl::Time now) {
  if (absl::Status valid = app::CheckInstallationId(candidate); !valid.ok()) {
    return valid;
  }
  std::string stored;
  absl::Status status = pool.Run("ensure the installation id", [&](sql::Connection& conn) {
    stored = ReadId(pool, conn, false);
    if (stored.empty()) {
      // The first writer wins; a concurrent one changes nothing and reads
      // the winner's id below.
      InsertId(pool, conn, candidate, now, true);
      stored = ReadId(pool, conn, false);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (!app::CheckInstallationId(stored).ok()) {
    return Malformed(stored);
  }
  return stored;
}

absl::StatusOr<std::string> RenewInstallationId(mysql::ConnectionPool& pool,
                                                const std::string& fresh, absl::Time now) {
  if (absl::Status valid = app::CheckInstallationId(fresh); !valid.ok()) {
    return valid;
  }
  std::string previous;
  absl::Status status =
      mysql::WithTransaction(pool, "renew the installation id", [&](sql::Connection& conn) {
        previous = ReadId(pool, conn, true);
        if (previous.empty()) {
          InsertId(pool, conn, fresh, now, false);
        } else {
          mysql::Statement update =
              pool.Prepare(conn,
                           "UPDATE installation SET previous_installation_id = installation_id,"
                           " installation_id = ?, updated_at = ? WHERE id = 1");
          update->setString(1, fresh);
          update->setDateTime(2, mysql::ToSqlTime(now));
          update->executeUpdate();
        }
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return status;
  }
  return previous;
}

}  // namespace sslpanel::workflow::storage
