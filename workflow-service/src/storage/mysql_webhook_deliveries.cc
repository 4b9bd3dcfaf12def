// Webhook deliveries: the dispatcher's cursor and inserts, claims with
// leases (as the outbox's), attempts, and the operator's redeliver/dismiss.
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/text/utf8.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/storage/order_rows.h"
#include "workflow-service/src/storage/order_snapshots.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::ToSqlTime;

// A nullable DATETIME column read by name.
std::optional<absl::Time> TimeOrNull(const Rows& rows, const char* column) {
  if (rows->isNull(column)) {
    return std::nullopt;
  }
  return mysql::FromSqlTime(Str(rows, column));
}

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

void BindIds(sql::PreparedStatement& stmt, int first, const std::vector<int64_t>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    stmt.setInt64(first + static_cast<int>(i), ids[i]);
  }
}

}  // namespace

absl::StatusOr<std::vector<app::WebhookDelivery>> MysqlWebhookStore::ListDeliveries(
    const app::DeliveryQuery& query) {
  std::vector<app::WebhookDelivery> page;
  absl::Status status = pool_.Run("list webhook deliveries", [&](sql::Connection& conn) {
    mysql::Statement stmt = pool_.Prepare(
        conn, absl::StrCat("SELECT ", kDeliveryColumns,
                           " FROM webhook_deliveries d WHERE (? = 0 OR d.subscription_id = ?)"
                           " AND (? = 0 OR d.order_id = ?) AND (? = '' OR d.status = ?)"
                           " AND (? = 0 OR d.id < ?) ORDER BY d.id DESC LIMIT ?"));
    const std::string wanted =
        query.status.has_value() ? std::string(domain::ToString(*query.status)) : "";
    stmt->setInt64(1, query.subscription_id);
    stmt->setInt64(2, query.subscription_id);
    stmt->setInt64(3, query.order_id);
    stmt->setInt64(4, query.order_id);
    stmt->setString(5, wanted);
    stmt->setString(6, wanted);
    stmt->setInt64(7, query.before_id);
    stmt->setInt64(8, query.before_id);
    stmt->setInt(9, query.limit);
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      page.push_back(ReadDelivery(rows));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return page;
}

absl::StatusOr<app::WebhookDelivery> MysqlWebhookStore::GetDelivery(int64_t id) {
  std::optional<app::WebhookDelivery> found;
  absl::Status status = pool_.Run("read webhook delivery", [&](sql::Connection& conn) {
    mysql::Statement stmt = pool_.Prepare(
        conn,
        absl::StrCat("SELECT ", kDeliveryColumns, " FROM webhook_deliveries d WHERE d.id = ?"));
    stmt->setInt64(1, id);
    Rows rows(stmt->executeQuery());
    if (rows->next()) {
      found = ReadDelivery(rows);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (!found.has_value()) {
    return DeliveryNotFound(id);
  }
  return *std::move(found);
}

absl::StatusOr<app::WebhookDelivery> MysqlWebhookStore::Redeliver(
    int64_t id, const app::WebhookRequest& request, absl::Time now) {
  absl::Status status = pool_.Run("redeliver webhook", [&](sql::Connection& conn) {
    mysql::Transaction tx(conn);
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
    if (absl::Status s = InsertWebhookRequest(pool_, conn, secrets_, request, now); !s.ok()) {
      return s;
    }
    tx.Commit();
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
  absl::Status status = pool_.Run("dismiss webhook delivery", [&](sql::Connection& conn) {
    mysql::Transaction tx(conn);
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
    if (absl::Status s = InsertWebhookRequest(pool_, conn, secrets_, request, now); !s.ok()) {
      return s;
    }
    tx.Commit();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return GetDelivery(id);
}

absl::StatusOr<bool> MysqlWebhookStore::AcquireDispatch(const std::string& owner, absl::Time now,
                                                        absl::Duration lease) {
  bool mine = false;
  absl::Status status = pool_.Run("take the webhook dispatch lease", [&](sql::Connection& conn) {
    mysql::Statement stmt = pool_.Prepare(
        conn,
        "UPDATE webhook_dispatch_cursor SET lease_owner = ?, lease_until = ?, updated_at = ?"
        " WHERE id = 1 AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)");
    stmt->setString(1, text::TruncateUtf8(owner, 64));
    stmt->setDateTime(2, ToSqlTime(now + lease));
    stmt->setDateTime(3, ToSqlTime(now));
    stmt->setString(4, text::TruncateUtf8(owner, 64));
    stmt->setDateTime(5, ToSqlTime(now));
    stmt->executeUpdate();
    // Read back rather than trust the affected-row count: a renewal that
    // writes identical values changes no row.
    mysql::Statement check =
        pool_.Prepare(conn, "SELECT lease_owner FROM webhook_dispatch_cursor WHERE id = 1");
    Rows rows(check->executeQuery());
    mine = rows->next() && !rows->isNull(1) &&
           std::string(rows->getString(1)) == text::TruncateUtf8(owner, 64);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return mine;
}

absl::StatusOr<int64_t> MysqlWebhookStore::DispatchPosition() {
  int64_t position = 0;
  absl::Status status = pool_.Run("read the webhook dispatch cursor", [&](sql::Connection& conn) {
    mysql::Statement stmt =
        pool_.Prepare(conn, "SELECT position FROM webhook_dispatch_cursor WHERE id = 1");
    Rows rows(stmt->executeQuery());
    if (!rows->next()) {
      return absl::FailedPreconditionError("webhook_dispatch_cursor has no row (migration 0007)");
    }
    position = rows->getInt64(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return position;
}

absl::StatusOr<int> MysqlWebhookStore::Dispatch(
    const std::string& owner, int64_t from, int64_t to,
    const std::function<absl::StatusOr<std::vector<app::NewDelivery>>(
        const std::vector<app::DispatchTarget>&)>& build,
    absl::Time now) {
  int created = 0;
  absl::Status status = pool_.Run("dispatch webhook deliveries", [&](sql::Connection& conn) {
    mysql::Transaction tx(conn);
    mysql::Statement cursor = pool_.Prepare(
        conn, "SELECT position, lease_owner FROM webhook_dispatch_cursor WHERE id = 1 FOR UPDATE");
    {
      Rows rows(cursor->executeQuery());
      if (!rows->next() || rows->getInt64("position") != from || rows->isNull("lease_owner") ||
          Str(rows, "lease_owner") != text::TruncateUtf8(owner, 64)) {
        return absl::AbortedError("the webhook dispatch lease or cursor moved; read again");
      }
    }
    // Shared locks: a subscription deleted meanwhile waits for this batch
    // (and then drops what it wrote) instead of leaving orphans behind.
    std::vector<app::DispatchTarget> targets;
    {
      mysql::Statement subs =
          pool_.Prepare(conn,
                        "SELECT id, event_types, start_after_event_id FROM webhook_subscriptions"
                        " WHERE deleted_at IS NULL ORDER BY id LOCK IN SHARE MODE");
      Rows rows(subs->executeQuery());
      while (rows->next()) {
        app::DispatchTarget t;
        t.subscription_id = rows->getInt64("id");
        const std::string types = Str(rows, "event_types");
        if (!types.empty()) {
          t.event_types = absl::StrSplit(types, ',');
        }
        t.start_after_event_id = rows->getInt64("start_after_event_id");
        targets.push_back(std::move(t));
      }
    }
    auto deliveries = build(targets);
    if (!deliveries.ok()) {
      return deliveries.status();
    }
    // A delivery that exists already (a batch replayed after a lost lease)
    // stays as it is.
    mysql::Statement insert = pool_.Prepare(
        conn,
        "INSERT INTO webhook_deliveries (subscription_id, event_id, order_id, order_version,"
        " event_type, status, attempts, next_attempt_at, payload, event_recorded_at, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?, ?)"
        " ON DUPLICATE KEY UPDATE id = id");
    for (const app::NewDelivery& d : *deliveries) {
      insert->setInt64(1, d.subscription_id);
      insert->setInt64(2, d.event_id);
      insert->setInt64(3, d.order_id);
      insert->setInt64(4, d.order_version);
      insert->setString(5, d.event_type);
      insert->setDateTime(6, ToSqlTime(now));
      insert->setString(7, d.payload);
      insert->setDateTime(8, ToSqlTime(d.event_recorded_at));
      insert->setDateTime(9, ToSqlTime(now));
      insert->setDateTime(10, ToSqlTime(now));
      created += insert->executeUpdate() == 1 ? 1 : 0;
    }
    mysql::Statement advance = pool_.Prepare(
        conn, "UPDATE webhook_dispatch_cursor SET position = ?, updated_at = ? WHERE id = 1");
    advance->setInt64(1, to);
    advance->setDateTime(2, ToSqlTime(now));
    advance->executeUpdate();
    tx.Commit();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return created;
}

absl::StatusOr<std::vector<app::ClaimedDelivery>> MysqlWebhookStore::ClaimDue(
    absl::Time now, int limit, absl::Duration lease, const std::string& owner) {
  std::vector<app::ClaimedDelivery> claimed;
  std::map<int64_t, std::pair<std::string, std::optional<std::string>>> sealed;  // by subscription
  absl::Status status = pool_.Run("claim webhook deliveries", [&](sql::Connection& conn) {
    // 1. Candidates, without locks: due, of live unpaused subscriptions, and
    //    first in line (domain::MayAttempt: every earlier delivery of the
    //    same subscription and order DELIVERED or DISMISSED).
    std::vector<int64_t> candidates;
    {
      mysql::Statement stmt = pool_.Prepare(
          conn,
          "SELECT d.id FROM webhook_deliveries d"
          " JOIN webhook_subscriptions s ON s.id = d.subscription_id"
          " WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? AND s.paused = 0"
          " AND s.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e"
          " WHERE e.subscription_id = d.subscription_id AND e.order_id = d.order_id"
          " AND e.event_id < d.event_id AND e.status IN ('PENDING', 'DEAD'))"
          " ORDER BY d.next_attempt_at LIMIT ?");
      stmt->setDateTime(1, ToSqlTime(now));
      stmt->setInt(2, limit);
      Rows rows(stmt->executeQuery());
      while (rows->next()) {
        candidates.push_back(rows->getInt64(1));
      }
    }
    if (candidates.empty()) {
      return absl::OkStatus();
    }
    // 2. Lock those still due (another replica may have them: skipped) and
    //    push them forward by the lease. Still first in line, too: an
    //    earlier delivery redelivered since step 1 is PENDING again, and the
    //    later one must not overtake it.
    mysql::Transaction tx(conn);
    std::vector<int64_t> ids;
    {
      mysql::Statement stmt = pool_.Prepare(
          conn, absl::StrCat("SELECT d.id, d.subscription_id, d.attempts, d.backoff_base,"
                             " d.dead_at, d.payload, d.created_at"
                             " FROM webhook_deliveries d WHERE d.id IN (",
                             Placeholders(candidates.size()),
                             ") AND d.status = 'PENDING' AND d.next_attempt_at <= ?"
                             " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e"
                             " WHERE e.subscription_id = d.subscription_id"
                             " AND e.order_id = d.order_id AND e.event_id < d.event_id"
                             " AND e.status IN ('PENDING', 'DEAD'))"
                             " FOR UPDATE SKIP LOCKED"));
      BindIds(*stmt, 1, candidates);
      stmt->setDateTime(static_cast<int>(candidates.size()) + 1, ToSqlTime(now));
      Rows rows(stmt->executeQuery());
      while (rows->next()) {
        app::ClaimedDelivery d;
        d.id = rows->getInt64("id");
        d.subscription_id = rows->getInt64("subscription_id");
        d.attempts = rows->getInt("attempts") - rows->getInt("backoff_base") + 1;
        d.dead_at = TimeOrNull(rows, "dead_at");
        d.payload = Str(rows, "payload");
        d.created_at = mysql::FromSqlTime(Str(rows, "created_at"));
        ids.push_back(d.id);
        claimed.push_back(std::move(d));
      }
    }
    if (ids.empty()) {
      return absl::OkStatus();
    }
    {
      mysql::Statement stmt = pool_.Prepare(
          conn, absl::StrCat("UPDATE webhook_deliveries SET next_attempt_at = ?,"
                             " attempts = attempts + 1, lease_owner = ?, updated_at = ?"
                             " WHERE id IN (",
                             Placeholders(ids.size()), ")"));
      stmt->setDateTime(1, ToSqlTime(now + lease));
      stmt->setString(2, text::TruncateUtf8(owner, 64));
      stmt->setDateTime(3, ToSqlTime(now));
      BindIds(*stmt, 4, ids);
      stmt->executeUpdate();
    }
    tx.Commit();
    // 3. Where and with what to sign.
    std::set<int64_t> subscription_ids;
    for (const app::ClaimedDelivery& d : claimed) {
      subscription_ids.insert(d.subscription_id);
    }
    std::vector<int64_t> subs(subscription_ids.begin(), subscription_ids.end());
    mysql::Statement stmt = pool_.Prepare(
        conn, absl::StrCat("SELECT id, url, secret, previous_secret, previous_secret_expires_at"
                           " FROM webhook_subscriptions WHERE id IN (",
                           Placeholders(subs.size()), ")"));
    BindIds(*stmt, 1, subs);
    Rows rows(stmt->executeQuery());
    std::map<int64_t, std::string> urls;
    while (rows->next()) {
      const int64_t id = rows->getInt64("id");
      urls[id] = Str(rows, "url");
      std::optional<absl::Time> expires = TimeOrNull(rows, "previous_secret_expires_at");
      std::optional<std::string> previous;
      if (!rows->isNull("previous_secret") && expires.has_value() && *expires > now) {
        previous = Str(rows, "previous_secret");
      }
      sealed[id] = {Str(rows, "secret"), previous};
    }
    for (app::ClaimedDelivery& d : claimed) {
      d.url = urls[d.subscription_id];
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  for (app::ClaimedDelivery& d : claimed) {
    const auto& [current, previous] = sealed[d.subscription_id];
    // A secret that does not open leaves the list empty: the attempt fails
    // visibly ("not signed") instead of going out unsigned.
    auto opened = secrets_.Open(current, kWebhookSecretContext);
    if (opened.ok()) {
      d.secrets.push_back(*std::move(opened));
    }
    if (previous.has_value()) {
      auto old = secrets_.Open(*previous, kWebhookSecretContext);
      if (old.ok()) {
        d.secrets.push_back(*std::move(old));
      }
    }
  }
  return claimed;
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
