// Webhook subscriptions and the request records of the webhook RPCs.
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/mysql/transaction.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/storage/order_rows.h"
#include "workflow-service/src/storage/order_snapshots.h"
#include "workflow-service/src/storage/row_helpers.h"

namespace sslpanel::workflow::storage {
namespace {

// Rows a deleted subscription's undelivered deliveries are dropped by at a
// time.
constexpr int kDropBatch = 1000;

using mysql::ToSqlTime;

constexpr int kDuplicateKey = 1062;

constexpr char kSubscriptionColumns[] =
    "s.id, s.url, s.event_types, s.description, s.paused, s.start_after_event_id,"
    " s.previous_secret_expires_at, s.created_at, s.updated_at,"
    " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id"
    " AND d.status = 'DEAD') AS dead_deliveries";

app::WebhookSubscription ReadSubscription(const Rows& rows) {
  app::WebhookSubscription s;
  s.id = rows->getInt64("id");
  s.url = Str(rows, "url");
  const std::string types = Str(rows, "event_types");
  if (!types.empty()) {
    s.event_types = absl::StrSplit(types, ',');
  }
  s.description = Str(rows, "description");
  s.paused = rows->getBoolean("paused");
  s.start_after_event_id = rows->getInt64("start_after_event_id");
  s.previous_secret_expires_at = TimeOrNull(rows, "previous_secret_expires_at");
  s.created_at = mysql::FromSqlTime(Str(rows, "created_at"));
  s.updated_at = mysql::FromSqlTime(Str(rows, "updated_at"));
  s.dead_deliveries = rows->getInt64("dead_deliveries");
  return s;
}

absl::Status NotFound(int64_t id) {
  return absl::NotFoundError(absl::StrCat("subscription_id: no webhook subscription ", id));
}

int64_t LastInsertId(mysql::ConnectionPool& pool, sql::Connection& conn) {
  mysql::Statement stmt = pool.Prepare(conn, "SELECT LAST_INSERT_ID()");
  Rows rows(stmt->executeQuery());
  rows->next();
  return rows->getInt64(1);
}

}  // namespace

absl::Status InsertWebhookRequest(mysql::ConnectionPool& pool, sql::Connection& conn,
                                  const crypto::Keyring& secrets,
                                  const app::WebhookRequest& request, absl::Time now) {
  std::optional<std::string> sealed;
  if (!request.secret.empty()) {
    auto s = secrets.Seal(request.secret, kWebhookSecretContext);
    if (!s.ok()) {
      return s.status();
    }
    sealed = *s;
  }
  mysql::Statement stmt = pool.Prepare(
      conn,
      "INSERT INTO webhook_requests (request_id, method, fingerprint,"
      " subscription_id, delivery_id, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  stmt->setString(1, request.request_id);
  stmt->setString(2, request.method);
  stmt->setString(3, request.fingerprint);
  stmt->setInt64(4, request.subscription_id);
  stmt->setInt64(5, request.delivery_id);
  if (sealed.has_value()) {
    stmt->setString(6, *sealed);
  } else {
    stmt->setNull(6, sql::DataType::VARCHAR);
  }
  stmt->setDateTime(7, ToSqlTime(now));
  try {
    stmt->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kDuplicateKey) {
      throw;
    }
    return absl::AlreadyExistsError(
        absl::StrCat("request_id \"", request.request_id, "\" was used by a concurrent request"));
  }
  return absl::OkStatus();
}

absl::Status MysqlWebhookStore::RunRecorded(
    absl::string_view what, const app::WebhookRequest& request, absl::Time now,
    const std::function<absl::Status(sql::Connection&)>& fn) {
  return mysql::WithTransaction(pool_, what, [&](sql::Connection& conn) {
    if (absl::Status s = fn(conn); !s.ok()) {
      return s;
    }
    return InsertWebhookRequest(pool_, conn, secrets_, request, now);
  });
}

absl::StatusOr<app::WebhookSubscription> MysqlWebhookStore::CreateSubscription(
    const app::NewSubscription& subscription, const std::string& secret,
    const std::function<absl::StatusOr<int64_t>()>& watermark, const app::WebhookRequest& request,
    absl::Time now) {
  auto sealed = secrets_.Seal(secret, kWebhookSecretContext);
  if (!sealed.ok()) {
    return sealed.status();
  }
  int64_t id = 0;
  absl::Status status =
      mysql::WithTransaction(pool_, "create webhook subscription", [&](sql::Connection& conn) {
        // Holding the cursor, the dispatcher's next batch either ran before
        // (and the watermark read now is at or past it) or sees this row.
        mysql::Statement lock = pool_.Prepare(
            conn, "SELECT position FROM webhook_dispatch_cursor WHERE id = 1 FOR UPDATE");
        Rows(lock->executeQuery());
        auto start = watermark();
        if (!start.ok()) {
          return start.status();
        }
        mysql::Statement stmt = pool_.Prepare(
            conn,
            "INSERT INTO webhook_subscriptions (url, event_types, description, paused, secret,"
            " previous_secret, previous_secret_expires_at, start_after_event_id, deleted_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, NULL, ?, ?)");
        stmt->setString(1, subscription.url);
        stmt->setString(2, absl::StrJoin(subscription.event_types, ","));
        stmt->setString(3, subscription.description);
        stmt->setBoolean(4, subscription.paused);
        stmt->setString(5, *sealed);
        stmt->setInt64(6, *start);
        stmt->setDateTime(7, ToSqlTime(now));
        stmt->setDateTime(8, ToSqlTime(now));
        stmt->executeUpdate();
        id = LastInsertId(pool_, conn);
        app::WebhookRequest record = request;
        record.subscription_id = id;
        return InsertWebhookRequest(pool_, conn, secrets_, record, now);
      });
  if (!status.ok()) {
    return status;
  }
  return GetSubscription(id);
}

absl::StatusOr<app::WebhookSubscription> MysqlWebhookStore::GetSubscription(int64_t id) {
  return GetById(
      pool_, "read webhook subscription",
      absl::StrCat("SELECT ", kSubscriptionColumns,
                   " FROM webhook_subscriptions s WHERE s.id = ? AND s.deleted_at IS NULL"),
      id, &ReadSubscription, &NotFound);
}

absl::StatusOr<std::vector<app::WebhookSubscription>> MysqlWebhookStore::ListSubscriptions(
    int64_t after_id, int limit) {
  std::vector<app::WebhookSubscription> page;
  absl::Status status = ForEachRow(
      pool_, "list webhook subscriptions",
      absl::StrCat("SELECT ", kSubscriptionColumns,
                   " FROM webhook_subscriptions s WHERE s.deleted_at IS NULL AND s.id > ?"
                   " ORDER BY s.id LIMIT ?"),
      [&](sql::PreparedStatement& stmt) {
        stmt.setInt64(1, after_id);
        stmt.setInt(2, limit);
      },
      [&](const Rows& rows) { page.push_back(ReadSubscription(rows)); });
  if (!status.ok()) {
    return status;
  }
  return page;
}

absl::StatusOr<app::WebhookSubscription> MysqlWebhookStore::UpdateSubscription(
    int64_t id, const app::SubscriptionChange& change, const app::WebhookRequest& request,
    absl::Time now) {
  std::optional<std::string> sealed;
  if (change.new_secret.has_value()) {
    auto s = secrets_.Seal(*change.new_secret, kWebhookSecretContext);
    if (!s.ok()) {
      return s.status();
    }
    sealed = *s;
  }
  absl::Status status =
      RunRecorded("update webhook subscription", request, now, [&](sql::Connection& conn) {
        {
          mysql::Statement lock = pool_.Prepare(conn,
                                                "SELECT id FROM webhook_subscriptions WHERE id = ? "
                                                "AND deleted_at IS NULL FOR UPDATE");
          lock->setInt64(1, id);
          Rows rows(lock->executeQuery());
          if (!rows->next()) {
            return NotFound(id);
          }
        }
        mysql::Statement stmt = pool_.Prepare(
            conn,
            "UPDATE webhook_subscriptions SET url = IF(?, ?, url), event_types = IF(?, ?, "
            "event_types),"
            " description = IF(?, ?, description), paused = IF(?, ?, paused),"
            " previous_secret = IF(?, secret, previous_secret),"
            " previous_secret_expires_at = IF(?, ?, previous_secret_expires_at),"
            " secret = IF(?, ?, secret), updated_at = ? WHERE id = ? AND deleted_at IS NULL");
        int k = 1;
        stmt->setBoolean(k++, change.url.has_value());
        stmt->setString(k++, change.url.value_or(""));
        stmt->setBoolean(k++, change.event_types.has_value());
        stmt->setString(
            k++, absl::StrJoin(change.event_types.value_or(std::vector<std::string>{}), ","));
        stmt->setBoolean(k++, change.description.has_value());
        stmt->setString(k++, change.description.value_or(""));
        stmt->setBoolean(k++, change.paused.has_value());
        stmt->setBoolean(k++, change.paused.value_or(false));
        stmt->setBoolean(k++, sealed.has_value());
        stmt->setBoolean(k++, sealed.has_value());
        stmt->setDateTime(k++, ToSqlTime(now + change.previous_secret_grace));
        stmt->setBoolean(k++, sealed.has_value());
        stmt->setString(k++, sealed.value_or(""));
        stmt->setDateTime(k++, ToSqlTime(now));
        stmt->setInt64(k++, id);
        stmt->executeUpdate();
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return status;
  }
  return GetSubscription(id);
}

absl::Status MysqlWebhookStore::DeleteSubscription(int64_t id, const app::WebhookRequest& request,
                                                   absl::Time now) {
  absl::Status marked =
      RunRecorded("delete webhook subscription", request, now, [&](sql::Connection& conn) {
        mysql::Statement mark = pool_.Prepare(
            conn,
            "UPDATE webhook_subscriptions SET deleted_at = ?, updated_at = ?, secret = '',"
            " previous_secret = NULL WHERE id = ? AND deleted_at IS NULL");
        mark->setDateTime(1, ToSqlTime(now));
        mark->setDateTime(2, ToSqlTime(now));
        mark->setInt64(3, id);
        if (mark->executeUpdate() != 1) {
          return NotFound(id);
        }
        return absl::OkStatus();
      });
  if (!marked.ok()) {
    return marked;
  }
  // Its undelivered deliveries, in bounded batches (each its own short
  // statement) rather than one unbounded delete under the mark's locks.
  // Marked deleted, they are never claimed meanwhile; should this fail or
  // stop halfway, the retention sweep (Purge) drops the rest.
  absl::Status dropped =
      pool_.Run("drop a deleted subscription's deliveries", [&](sql::Connection& conn) {
        mysql::Statement drop =
            pool_.Prepare(conn,
                          "DELETE FROM webhook_deliveries WHERE subscription_id = ?"
                          " AND status IN ('PENDING', 'DEAD') LIMIT ?");
        while (true) {
          drop->setInt64(1, id);
          drop->setInt(2, kDropBatch);
          if (drop->executeUpdate() < kDropBatch) {
            return absl::OkStatus();
          }
        }
      });
  if (!dropped.ok()) {
    log::Warning(
        "deleted webhook subscription's deliveries not all dropped; the retention "
        "sweep drops the rest",
        {{"subscription_id", id}, {"error", dropped}});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<app::WebhookRequest>> MysqlWebhookStore::FindRequest(
    const std::string& request_id) {
  std::optional<app::WebhookRequest> found;
  std::optional<std::string> sealed;
  absl::Status status = pool_.Run("read webhook request", [&](sql::Connection& conn) {
    mysql::Statement stmt =
        pool_.Prepare(conn,
                      "SELECT request_id, method, fingerprint, subscription_id, delivery_id, secret"
                      " FROM webhook_requests WHERE request_id = ?");
    stmt->setString(1, request_id);
    Rows rows(stmt->executeQuery());
    if (rows->next()) {
      app::WebhookRequest r;
      r.request_id = Str(rows, "request_id");
      r.method = Str(rows, "method");
      r.fingerprint = Str(rows, "fingerprint");
      r.subscription_id = rows->getInt64("subscription_id");
      r.delivery_id = rows->getInt64("delivery_id");
      if (!rows->isNull("secret")) {
        sealed = Str(rows, "secret");
      }
      found = std::move(r);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (found.has_value() && sealed.has_value()) {
    auto secret = secrets_.Open(*sealed, kWebhookSecretContext);
    if (!secret.ok()) {
      return secret.status();
    }
    found->secret = *std::move(secret);
  }
  return found;
}

absl::StatusOr<std::optional<std::string>> MysqlWebhookStore::GetSnapshot(int64_t order_id,
                                                                          int64_t version) {
  return storage::GetSnapshot(pool_, order_id, version);
}

}  // namespace sslpanel::workflow::storage
