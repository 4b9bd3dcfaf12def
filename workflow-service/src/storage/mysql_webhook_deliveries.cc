// Webhook deliveries as the operator sees them (list, get, redeliver,
// dismiss), the outcome of each attempt, and the retention sweep. The
// dispatcher's cursor and claims are in mysql_webhook_dispatch.cc.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/text/utf8.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/storage/order_rows.h"
#include "workflow-service/src/storage/order_snapshots.h"
#include "workflow-service/src/storage/row_helpers.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::ToSqlTime;

// A PENDING delivery's earliest DEAD predecessor of the same subscription
// and order: what holds it back (domain::BlockedBy, in SQL).
constexpr char kDeliveryColumns[] =
    "d.id, d.subscription_id, d.event_id, d.order_id, d.order_version, d.event_type, d.status,"
    " d.attempts, d.last_attempt_at, d.last_http_status, d.last_error, d.next_attempt_at,"
    " d.dead_at, d.created_at, d.delivered_at,"
    " IF(d.status = 'PENDING', (SELECT b.id FROM webhook_deliveries b"
    " WHERE b.subscription_id = d.subscription_id AND b.order_id = d.order_id"
    " AND b.event_id < d.event_id AND b.status = 'DEAD' ORDER BY b.event_id LIMIT 1), NULL)"
    " AS blocked_by";

app::WebhookDelivery ReadDelivery(const Rows& rows) {
  app::WebhookDelivery d;
  d.id = rows->getInt64("id");
  d.subscription_id = rows->getInt64("subscription_id");
  d.event_id = rows->getInt64("event_id");
  d.order_id = rows->getInt64("order_id");
  d.order_version = rows->getInt64("order_version");
  d.event_type = Str(rows, "event_type");
  domain::Parse(Str(rows, "status"), &d.status);
  d.attempts = rows->getInt("attempts");
  d.last_attempt_at = TimeOrNull(rows, "last_attempt_at");
  d.last_http_status = rows->getInt("last_http_status");
  d.last_error = Str(rows, "last_error");
  d.next_attempt_at = mysql::FromSqlTime(Str(rows, "next_attempt_at"));
  d.dead_at = TimeOrNull(rows, "dead_at");
  d.created_at = mysql::FromSqlTime(Str(rows, "created_at"));
  d.delivered_at = TimeOrNull(rows, "delivered_at");
  d.blocked_by_delivery_id = rows->isNull("blocked_by") ? 0 : rows->getInt64("blocked_by");
  return d;
}

absl::Status DeliveryNotFound(int64_t id) {
  return absl::NotFoundError(absl::StrCat("delivery_id: no webhook delivery ", id));
}

// The delivery's status and whether its subscription still exists, locked.
struct Locked {
  domain::DeliveryStatus status = domain::DeliveryStatus::kPending;
  bool subscription_live = false;
};

std::optional<Locked> LockDelivery(mysql::ConnectionPool& pool, sql::Connection& conn, int64_t id) {
  mysql::Statement stmt = pool.Prepare(conn,
                                       "SELECT d.status, s.deleted_at FROM webhook_deliveries d"
                                       " JOIN webhook_subscriptions s ON s.id = d.subscription_id"
                                       " WHERE d.id = ? FOR UPDATE");
  stmt->setInt64(1, id);
  Rows rows(stmt->executeQuery());
  if (!rows->next()) {
    return std::nullopt;
  }
  Locked locked;
  domain::Parse(Str(rows, "status"), &locked.status);
  locked.subscription_live = rows->isNull("deleted_at");
  return locked;
}

}  // namespace

absl::StatusOr<std::vector<app::WebhookDelivery>> MysqlWebhookStore::ListDeliveries(
    const app::DeliveryQuery& query) {
  std::vector<app::WebhookDelivery> page;
  const std::string wanted =
      query.status.has_value() ? std::string(domain::ToString(*query.status)) : "";
  absl::Status status = ForEachRow(
      pool_, "list webhook deliveries",
      absl::StrCat("SELECT ", kDeliveryColumns,
                   " FROM webhook_deliveries d WHERE (? = 0 OR d.subscription_id = ?)"
                   " AND (? = 0 OR d.order_id = ?) AND (? = '' OR d.status = ?)"
                   " AND (? = 0 OR d.id < ?) ORDER BY d.id DESC LIMIT ?"),
      [&](sql::PreparedStatement& stmt) {
        stmt.setInt64(1, query.subscription_id);
        stmt.setInt64(2, query.subscription_id);
        stmt.setInt64(3, query.order_id);
        stmt.setInt64(4, query.order_id);
        stmt.setString(5, wanted);
        stmt.setString(6, wanted);
        stmt.setInt64(7, query.before_id);
        stmt.setInt64(8, query.before_id);
        stmt.setInt(9, query.limit);
      },
      [&](const Rows& rows) { page.push_back(ReadDelivery(rows)); });
  if (!status.ok()) {
    return status;
  }
  return page;
}

absl::StatusOr<app::WebhookDelivery> MysqlWebhookStore::GetDelivery(int64_t id) {
  return GetById(
      pool_, "read webhook delivery",
      absl::StrCat("SELECT ", kDeliveryColumns, " FROM webhook_deliveries d WHERE d.id = ?"), id,
      &ReadDelivery, &DeliveryNotFound);
}

absl::StatusOr<app::WebhookDelivery> MysqlWebhookStore::Redeliver(
    int64_t id, const app::WebhookRequest& request, absl::Time now) {
  absl::Status status = RunRecorded("redeliver webhook", request, now, [&](sql::Connection& conn) {
    std::optional<Locked> locked = LockDelivery(pool_, conn, id);
    if (!locked.has_value()) {
      return DeliveryNotFound(id);
    }
    if (!locked->subscription_live) {
      return absl::FailedPreconditionError(
          absl::StrCat("delivery_id: delivery ", id, " belongs to a deleted subscription"));
    }
    // Due now, with a fresh deadline from its next attempt. The attempt
    // count is kept (history); the backoff counts from it again
    // (backoff_base). The delivery keeps its id, which is the webhook-id
    // receivers deduplicate on.
    mysql::Statement stmt = pool_.Prepare(
        conn,
        "UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = ?, dead_at = NULL,"
        " backoff_base = attempts, lease_owner = NULL, updated_at = ? WHERE id = ?");
    stmt->setDateTime(1, ToSqlTime(now));
    stmt->setDateTime(2, ToSqlTime(now));
    stmt->setInt64(3, id);
    stmt->executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return GetDelivery(id);
}

absl::StatusOr<app::WebhookDelivery> MysqlWebhookStore::Dismiss(int64_t id,
                                                                const app::WebhookRequest& request,
                                                                absl::Time now) {
  absl::Status status =
      RunRecorded("dismiss webhook delivery", request, now, [&](sql::Connection& conn) {
        std::optional<Locked> locked = LockDelivery(pool_, conn, id);
        if (!locked.has_value()) {
          return DeliveryNotFound(id);
        }
        if (absl::Status s = domain::CheckDismiss(locked->status); !s.ok()) {
          return s;
        }
        mysql::Statement stmt = pool_.Prepare(
            conn,
            "UPDATE webhook_deliveries SET status = 'DISMISSED', lease_owner = NULL, updated_at = ?"
            " WHERE id = ? AND status = 'DEAD'");
        stmt->setDateTime(1, ToSqlTime(now));
        stmt->setInt64(2, id);
        stmt->executeUpdate();
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return status;
  }
  return GetDelivery(id);
}

absl::Status MysqlWebhookStore::FinishAttempt(int64_t id, const app::AttemptRecord& attempt) {
  return pool_.Run("record webhook attempt", [&](sql::Connection& conn) {
    const bool delivered = attempt.status == domain::DeliveryStatus::kDelivered;
    mysql::Statement stmt =
        pool_.Prepare(conn,
                      "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, dead_at = ?,"
                      " last_attempt_at = ?, last_http_status = ?, last_error = ?,"
                      " delivered_at = IF(?, ?, delivered_at), lease_owner = NULL, updated_at = ?"
                      " WHERE id = ? AND status = 'PENDING'");
    stmt->setString(1, std::string(domain::ToString(attempt.status)));
    stmt->setDateTime(2, ToSqlTime(attempt.next_attempt_at));
    stmt->setDateTime(3, ToSqlTime(attempt.dead_at));
    stmt->setDateTime(4, ToSqlTime(attempt.attempted_at));
    stmt->setInt(5, attempt.http_status);
    stmt->setString(6, text::TruncateUtf8(attempt.error, 1024));
    stmt->setBoolean(7, delivered);
    stmt->setDateTime(8, ToSqlTime(attempt.next_attempt_at));
    stmt->setDateTime(9, ToSqlTime(attempt.next_attempt_at));
    stmt->setInt64(10, id);
    stmt->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> MysqlWebhookStore::Purge(absl::Time snapshots_before,
                                                 absl::Time requests_before,
                                                 absl::Time finished_before, int limit) {
  auto snapshots = PurgeSnapshots(pool_, snapshots_before, limit);
  if (!snapshots.ok()) {
    return snapshots.status();
  }
  int64_t requests = 0;
  absl::Status status = pool_.Run("purge webhook requests", [&](sql::Connection& conn) {
    mysql::Statement stmt =
        pool_.Prepare(conn, "DELETE FROM webhook_requests WHERE created_at < ? LIMIT ?");
    stmt->setDateTime(1, ToSqlTime(requests_before));
    stmt->setInt(2, limit);
    requests = stmt->executeUpdate();
    // Finished deliveries past retention (ix_webhook_deliveries_finished).
    mysql::Statement finished =
        pool_.Prepare(conn,
                      "DELETE FROM webhook_deliveries WHERE status IN ('DELIVERED', 'DISMISSED')"
                      " AND updated_at < ? ORDER BY status, updated_at LIMIT ?");
    finished->setDateTime(1, ToSqlTime(finished_before));
    finished->setInt(2, limit);
    requests += finished->executeUpdate();
    // Undelivered ones of deleted subscriptions a DeleteSubscription left
    // (a process stopped between its batches).
    mysql::Statement orphans = pool_.Prepare(
        conn,
        "DELETE FROM webhook_deliveries WHERE status IN ('PENDING', 'DEAD') AND subscription_id"
        " IN (SELECT id FROM webhook_subscriptions WHERE deleted_at IS NOT NULL) LIMIT ?");
    orphans->setInt(1, limit);
    requests += orphans->executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return *snapshots + requests;
}

}  // namespace sslpanel::workflow::storage
