// Webhook deliveries as the dispatcher makes and takes them: its lease and
// cursor, the deliveries it inserts per batch of events, and claims with
// leases (as the outbox's).
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/mysql/transaction.h"
#include "common/text/utf8.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/storage/order_rows.h"
#include "workflow-service/src/storage/row_helpers.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::ToSqlTime;

void BindIds(sql::PreparedStatement& stmt, int first, const std::vector<int64_t>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    stmt.setInt64(first + static_cast<int>(i), ids[i]);
  }
}

}  // namespace

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
  absl::Status status =
      mysql::WithTransaction(pool_, "dispatch webhook deliveries", [&](sql::Connection& conn) {
        mysql::Statement cursor = pool_.Prepare(
            conn,
            "SELECT position, lease_owner FROM webhook_dispatch_cursor WHERE id = 1 FOR UPDATE");
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
          mysql::Statement subs = pool_.Prepare(
              conn,
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
            " event_type, status, attempts, next_attempt_at, payload, event_recorded_at, "
            "created_at,"
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
  // Three steps, each on a connection of its own from the pool (borrowing
  // one costs no round trip); only step 2 is a transaction. Step 1 must stay
  // outside it: a consistent read there would fix the snapshot step 2's
  // first-in-line check reads.
  // 1. Candidates, without locks: due, of live unpaused subscriptions, and
  //    first in line (domain::MayAttempt: every earlier delivery of the
  //    same subscription and order DELIVERED or DISMISSED).
  std::vector<int64_t> candidates;
  absl::Status status = pool_.Run("claim webhook deliveries", [&](sql::Connection& conn) {
    mysql::Statement stmt =
        pool_.Prepare(conn,
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
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (candidates.empty()) {
    return claimed;
  }
  // 2. Lock those still due (another replica may have them: skipped) and
  //    push them forward by the lease. Still first in line, too: an
  //    earlier delivery redelivered since step 1 is PENDING again, and the
  //    later one must not overtake it.
  std::vector<int64_t> ids;
  status = mysql::WithTransaction(pool_, "claim webhook deliveries", [&](sql::Connection& conn) {
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
    mysql::Statement stmt =
        pool_.Prepare(conn, absl::StrCat("UPDATE webhook_deliveries SET next_attempt_at = ?,"
                                         " attempts = attempts + 1, lease_owner = ?, updated_at = ?"
                                         " WHERE id IN (",
                                         Placeholders(ids.size()), ")"));
    stmt->setDateTime(1, ToSqlTime(now + lease));
    stmt->setString(2, text::TruncateUtf8(owner, 64));
    stmt->setDateTime(3, ToSqlTime(now));
    BindIds(*stmt, 4, ids);
    stmt->executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (ids.empty()) {
    return claimed;
  }
  // 3. Where and with what to sign.
  status = pool_.Run("claim webhook deliveries", [&](sql::Connection& conn) {
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

}  // namespace sslpanel::workflow::storage
