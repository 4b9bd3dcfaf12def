#include "common/mysql/transaction.h"

#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/mysql/mysql.h"

namespace sslpanel::mysql {

namespace {

void Execute(sql::Connection& conn, const char* sql) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute(sql);
}

}  // namespace

absl::Status WithTransaction(ConnectionPool& pool, absl::string_view what,
                             const std::function<absl::Status(sql::Connection&)>& fn) {
  auto conn = pool.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  sql::Connection& c = **conn;
  absl::Status status;
  bool started = false;
  bool broken = false;
  try {
    Execute(c, "START TRANSACTION");
    started = true;
    status = fn(c);
    if (status.ok()) {
      Execute(c, "COMMIT");
      return absl::OkStatus();
    }
  } catch (const DeadlineExceeded&) {
    // Thrown before a statement ran: rolled back below, connection kept.
    status = CallDeadlineExceeded();
  } catch (const sql::SQLException& e) {
    broken = IsConnectionError(e);
    status = TranslateSqlError(e, what);
  } catch (const std::exception& e) {
    // A broken invariant; the connection may be mid-result.
    broken = true;
    status = absl::InternalError(absl::StrCat(what, ": ", e.what()));
  }
  if (broken) {
    conn->MarkBroken();
    return status;
  }
  if (!started) {
    return status;
  }
  try {
    Execute(c, "ROLLBACK");
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e)) {
      conn->MarkBroken();
    }
    const absl::Status rollback = TranslateSqlError(e, absl::StrCat(what, ": rollback"));
    absl::Status both(
        status.code(),
        absl::StrCat(status.message(), " (and the rollback failed: ", rollback.message(), ")"));
    status.ForEachPayload(
        [&](absl::string_view type, const absl::Cord& payload) { both.SetPayload(type, payload); });
    both.SetPayload(kRollbackErrorPayload, absl::Cord(rollback.ToString()));
    return both;
  }
  return status;
}

}  // namespace sslpanel::mysql
