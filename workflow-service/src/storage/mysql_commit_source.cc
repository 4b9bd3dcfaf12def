// MysqlCommitSource: which event ids are committed and visible, and whether a
// writer may still commit below them, read from MariaDB for the event feed's watermark.
#include "workflow-service/src/storage/mysql_event_feed.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::FromSqlTime;
using Statement = mysql::Statement;

// MariaDB/MySQL: "Access denied; you need (at least one of) the PROCESS
// privilege(s) for this operation".
constexpr int kErSpecificAccessDenied = 1227;

}  // namespace

absl::StatusOr<std::vector<app::VisibleId>> MysqlCommitSource::IdsAfter(int64_t after, int limit) {
  std::vector<app::VisibleId> ids;
  absl::Status status = pool_.Run("follow events", [&](sql::Connection& conn) {
    // Autocommit: every statement reads a fresh snapshot.
    Statement stmt = pool_.Prepare(
        conn, absl::StrCat("SELECT id, recorded_at FROM order_events WHERE id > ? ORDER BY id"
                           " LIMIT ",
                           limit));
    stmt->setInt64(1, after);
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      ids.push_back(app::VisibleId{rows->getInt64(1), FromSqlTime(Str(rows, "recorded_at"))});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return ids;
}

absl::StatusOr<int64_t> MysqlCommitSource::MaxId() {
  int64_t max_id = 0;
  absl::Status status = pool_.Run("follow events", [&](sql::Connection& conn) {
    Statement stmt = pool_.Prepare(conn, "SELECT COALESCE(MAX(id), 0) FROM order_events");
    Rows rows(stmt->executeQuery());
    if (rows->next()) {
      max_id = rows->getInt64(1);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return max_id;
}

absl::StatusOr<std::optional<std::set<uint64_t>>> MysqlCommitSource::OpenWriters() {
  std::optional<std::set<uint64_t>> writers;
  bool denied = false;
  absl::Status status = pool_.Run("list open transactions", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    // Our own transaction, begun now, running a statement no other listing
    // ran: the listing is fresh if it shows that statement as our
    // transaction's (an older listing may show this connection's previous
    // probe, so the connection id alone proves nothing).
    static std::atomic<uint64_t> serial{0};
    const std::string probe = absl::StrCat("sslpanel-feed-probe-", getpid(), "-",
                                           absl::ToUnixNanos(absl::Now()), "-", ++serial);
    stmt->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    bool own = false;
    std::set<uint64_t> open;
    try {
      // The listing is server-wide; a transaction of a session using
      // another database (a CA adapter's on the same server) cannot have
      // taken our ids. Sessions without a database, gone since, or without
      // a session (recovered) count.
      Rows rows(stmt->executeQuery(absl::StrCat(
          "SELECT '", probe,
          "' AS probe, t.trx_id, t.trx_mysql_thread_id = CONNECTION_ID() AND t.trx_query LIKE '%",
          probe,
          "%' AS own, t.trx_rows_modified, p.DB IS NULL OR p.DB = DATABASE() AS ours"
          " FROM information_schema.INNODB_TRX t"
          " LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id")));
      while (rows->next()) {
        if (rows->getInt("own") != 0) {
          own = true;
        } else if (rows->getUInt64("trx_rows_modified") > 0 && rows->getInt("ours") != 0) {
          open.insert(rows->getUInt64("trx_id"));
        }
      }
    } catch (const sql::SQLException& e) {
      stmt->execute("ROLLBACK");
      if (e.getErrorCode() != kErSpecificAccessDenied) {
        throw;
      }
      denied = true;
      return absl::OkStatus();
    }
    stmt->execute("COMMIT");
    if (own) {
      writers = std::move(open);
    }
    return absl::OkStatus();
  });
  if (denied) {
    return absl::PermissionDeniedError("information_schema.INNODB_TRX needs the PROCESS privilege");
  }
  if (!status.ok()) {
    return status;
  }
  return writers;
}
}  // namespace sslpanel::workflow::storage
