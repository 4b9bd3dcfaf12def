#include "workflow-service/src/storage/mysql_work_queue.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/text/utf8.h"
#include "workflow-service/src/storage/json_columns.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::ToSqlTime;
using Statement = mysql::Statement;
using Rows = std::unique_ptr<sql::ResultSet>;

// "?, ?, ?" for `ids`: one statement shape per batch size, so the
// connection's statement cache serves every claim.
std::string Placeholders(const std::vector<int64_t>& ids) {
  return absl::StrJoin(std::vector<std::string>(ids.size(), "?"), ", ");
}

void BindIds(sql::PreparedStatement& stmt, int first, const std::vector<int64_t>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    stmt.setInt64(first + static_cast<int>(i), ids[i]);
  }
}

std::vector<int64_t> ReadIds(sql::PreparedStatement& stmt) {
  std::vector<int64_t> ids;
  Rows rows(stmt.executeQuery());
  while (rows->next()) {
    ids.push_back(rows->getInt64(1));
  }
  return ids;
}

// The ids a sweep's `query` selects, with `now` and `limit` bound to its two
// parameters.
absl::StatusOr<std::vector<int64_t>> SweepIds(mysql::ConnectionPool& pool, absl::string_view what,
                                              const std::string& query, absl::Time now, int limit) {
  std::vector<int64_t> ids;
  absl::Status status = pool.Run(what, [&](sql::Connection& conn) {
    Statement stmt = pool.Prepare(conn, query);
    stmt->setDateTime(1, ToSqlTime(now));
    stmt->setInt(2, limit);
    ids = ReadIds(*stmt);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return ids;
}

// The number a SELECT COUNT(*) `query` without parameters answers.
absl::StatusOr<int64_t> Count(mysql::ConnectionPool& pool, absl::string_view what,
                              const std::string& query) {
  int64_t count = 0;
  absl::Status status = pool.Run(what, [&](sql::Connection& conn) {
    Statement stmt = pool.Prepare(conn, query);
    Rows rows(stmt->executeQuery());
    rows->next();
    count = rows->getInt64(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return count;
}

}  // namespace

absl::StatusOr<std::vector<app::OutboxItem>> MysqlWorkQueue::ClaimOutbox(absl::Time now, int limit,
                                                                         absl::Duration lease,
                                                                         const std::string& owner) {
  std::vector<app::OutboxItem> items;
  absl::Status status =
      mysql::WithTransaction(pool_, "claim outbox rows", [&](sql::Connection& conn) {
        Statement select = pool_.Prepare(
            conn,
            "SELECT id, order_id, certificate_id, kind, submission, idempotency_key, ref_key,"
            " detail_json, attempts FROM outbox WHERE status = 'PENDING' AND due_at <= ?"
            // Only the kinds this version delivers: a newer replica's new kind
            // must never be delivered as something else.
            " AND kind IN ('PREVALIDATE', 'SUBMIT_TO_CA', 'CANCEL_AT_CA', 'REVOKE_AT_CA',"
            " 'ABANDON_AT_CA', 'CHANGE_DCV_AT_CA', 'RESEND_DCV_EMAIL_AT_CA', 'RESOLVE_AT_CA')"
            " ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED");
        select->setDateTime(1, ToSqlTime(now));
        select->setInt(2, limit);
        Rows rows(select->executeQuery());
        std::vector<int64_t> ids;
        while (rows->next()) {
          app::OutboxItem item;
          item.id = rows->getInt64("id");
          item.order_id = rows->getInt64("order_id");
          item.certificate_id = rows->getInt64("certificate_id");
          domain::Parse(std::string(rows->getString("kind")), &item.kind);
          item.submission = rows->getInt("submission");
          item.idempotency_key = rows->getString("idempotency_key");
          item.ref_key = rows->isNull("ref_key") ? "" : std::string(rows->getString("ref_key"));
          if (!rows->isNull("detail_json")) {
            item.detail = DetailFromJson(rows->getString("detail_json"));
          }
          item.attempts = rows->getInt("attempts") + 1;
          ids.push_back(item.id);
          items.push_back(std::move(item));
        }
        if (!ids.empty()) {
          Statement lease_rows = pool_.Prepare(
              conn, absl::StrCat("UPDATE outbox SET due_at = ?, attempts = attempts + 1,"
                                 " lease_owner = ?, updated_at = ? WHERE id IN (",
                                 Placeholders(ids), ")"));
          lease_rows->setDateTime(1, ToSqlTime(now + lease));
          lease_rows->setString(2, text::TruncateUtf8(owner, 64));
          lease_rows->setDateTime(3, ToSqlTime(now));
          BindIds(*lease_rows, 4, ids);
          lease_rows->executeUpdate();
        }
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return status;
  }
  return items;
}

absl::Status MysqlWorkQueue::RetryOutbox(int64_t id, absl::Time due, const std::string& error,
                                         absl::Time now) {
  return pool_.Run("reschedule outbox row", [&](sql::Connection& conn) {
    Statement stmt =
        pool_.Prepare(conn,
                      "UPDATE outbox SET due_at = ?, last_error = ?, lease_owner = NULL,"
                      " updated_at = ? WHERE id = ? AND status = 'PENDING'");
    stmt->setDateTime(1, ToSqlTime(due));
    stmt->setString(2, text::TruncateUtf8(error, 1024));
    stmt->setDateTime(3, ToSqlTime(now));
    stmt->setInt64(4, id);
    stmt->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status MysqlWorkQueue::FinishOutbox(int64_t id, const std::string& status,
                                          const std::string& note, absl::Time now) {
  return pool_.Run("finish outbox row", [&](sql::Connection& conn) {
    Statement stmt =
        pool_.Prepare(conn,
                      "UPDATE outbox SET status = ?, last_error = ?, lease_owner = NULL,"
                      " updated_at = ? WHERE id = ? AND status = 'PENDING'");
    stmt->setString(1, status);
    if (note.empty()) {
      stmt->setNull(2, sql::DataType::VARCHAR);
    } else {
      stmt->setString(2, text::TruncateUtf8(note, 1024));
    }
    stmt->setDateTime(3, ToSqlTime(now));
    stmt->setInt64(4, id);
    stmt->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<app::PollItem>> MysqlWorkQueue::ClaimPolls(absl::Time now, int limit,
                                                                      absl::Duration lease) {
  std::vector<app::PollItem> items;
  absl::Status status =
      mysql::WithTransaction(pool_, "claim status checks", [&](sql::Connection& conn) {
        Statement select = pool_.Prepare(conn,
                                         "SELECT id, order_id, poll_failures FROM certificates"
                                         " WHERE next_poll_at <= ? ORDER BY next_poll_at LIMIT ?"
                                         " FOR UPDATE SKIP LOCKED");
        select->setDateTime(1, ToSqlTime(now));
        select->setInt(2, limit);
        Rows rows(select->executeQuery());
        std::vector<int64_t> ids;
        while (rows->next()) {
          items.push_back(
              {rows->getInt64("id"), rows->getInt64("order_id"), rows->getInt("poll_failures")});
          ids.push_back(items.back().certificate_id);
        }
        if (!ids.empty()) {
          Statement lease_rows = pool_.Prepare(
              conn, absl::StrCat("UPDATE certificates SET next_poll_at = ? WHERE id IN (",
                                 Placeholders(ids), ")"));
          lease_rows->setDateTime(1, ToSqlTime(now + lease));
          BindIds(*lease_rows, 2, ids);
          lease_rows->executeUpdate();
        }
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return status;
  }
  return items;
}

absl::Status MysqlWorkQueue::SchedulePoll(int64_t certificate_id, absl::Time next, bool failed) {
  return pool_.Run("schedule status check", [&](sql::Connection& conn) {
    // A certificate that stopped being watched (next_poll_at NULL, set by
    // the transition that ended the wait) stays unwatched.
    Statement stmt = pool_.Prepare(conn,
                                   "UPDATE certificates SET next_poll_at = ?,"
                                   " poll_failures = IF(?, poll_failures + 1, 0)"
                                   " WHERE id = ? AND next_poll_at IS NOT NULL");
    stmt->setDateTime(1, ToSqlTime(next));
    stmt->setBoolean(2, failed);
    stmt->setInt64(3, certificate_id);
    stmt->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<int64_t>> MysqlWorkQueue::OrdersToExpire(absl::Time now, int limit) {
  return SweepIds(pool_, "find expired certificates",
                  "SELECT DISTINCT order_id FROM certificates"
                  " WHERE status = 'ACTIVE' AND not_after <= ? LIMIT ?",
                  now, limit);
}

absl::StatusOr<std::vector<int64_t>> MysqlWorkQueue::StuckCandidates(absl::Time now, int limit) {
  return SweepIds(pool_, "find stuck orders",
                  "SELECT id FROM orders WHERE sla_deadline <= ?"
                  " ORDER BY sla_deadline LIMIT ?",
                  now, limit);
}

absl::StatusOr<bool> MysqlWorkQueue::FlagStuck(int64_t order_id, absl::Time now) {
  bool flagged = false;
  absl::Status status = pool_.Run("flag stuck order", [&](sql::Connection& conn) {
    Statement stmt =
        pool_.Prepare(conn,
                      "UPDATE orders SET stuck_since = sla_deadline, sla_deadline = NULL"
                      " WHERE id = ? AND sla_deadline <= ?");
    stmt->setInt64(1, order_id);
    stmt->setDateTime(2, ToSqlTime(now));
    flagged = stmt->executeUpdate() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return flagged;
}

absl::StatusOr<int64_t> MysqlWorkQueue::OutboxBacklog() {
  return Count(pool_, "count outbox backlog",
               "SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'");
}

absl::StatusOr<int64_t> MysqlWorkQueue::StuckOrders() {
  // Through ix_orders_stuck_since: only the flagged rows are read.
  return Count(pool_, "count stuck orders",
               "SELECT COUNT(*) FROM orders WHERE stuck_since IS NOT NULL");
}

absl::StatusOr<int64_t> MysqlWorkQueue::Purge(absl::Time outbox_before, absl::Time requests_before,
                                              int limit) {
  int64_t purged = 0;
  absl::Status status = pool_.Run("purge finished rows", [&](sql::Connection& conn) {
    // Both through their indexes (status, due_at) and (created_at), in
    // bounded batches so a large backlog never holds long locks.
    mysql::Statement outbox = pool_.Prepare(
        conn,
        "DELETE FROM outbox WHERE status IN ('DONE', 'CANCELLED', 'FAILED') AND due_at < ?"
        " LIMIT ?");
    outbox->setDateTime(1, ToSqlTime(outbox_before));
    outbox->setInt(2, limit);
    purged += outbox->executeUpdate();
    mysql::Statement requests =
        pool_.Prepare(conn, "DELETE FROM request_ids WHERE created_at < ? LIMIT ?");
    requests->setDateTime(1, ToSqlTime(requests_before));
    requests->setInt(2, limit);
    purged += requests->executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return purged;
}

}  // namespace sslpanel::workflow::storage
