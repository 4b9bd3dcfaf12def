#include "ca-adapter/src/storage/mysql_idempotency_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace sslpanel::ca::storage {
namespace {

using app::Claim;
using app::IdempotencyRecord;
using app::RecordState;

constexpr char kColumns[] =
    "idempotency_key, operation, fingerprint, state, attempt, lease_until, request, response,"
    " error_code, error_message, ca_order_id";

absl::string_view StateName(RecordState state) {
  switch (state) {
    case RecordState::kInProgress:
      return "in_progress";
    case RecordState::kSucceeded:
      return "succeeded";
    case RecordState::kFailed:
      return "failed";
    case RecordState::kCancelled:
      return "cancelled";
  }
  return "in_progress";
}

RecordState ParseState(const std::string& name) {
  if (name == "succeeded") {
    return RecordState::kSucceeded;
  }
  if (name == "failed") {
    return RecordState::kFailed;
  }
  if (name == "cancelled") {
    return RecordState::kCancelled;
  }
  return RecordState::kInProgress;
}

// BLOB columns go through streams: binary-safe whatever the bytes are.
std::string ReadBlob(sql::ResultSet& rows, const char* column) {
  if (rows.isNull(column)) {
    return "";
  }
  std::unique_ptr<std::istream> in(rows.getBlob(column));
  if (in == nullptr) {
    return "";
  }
  std::ostringstream out;
  out << in->rdbuf();
  return out.str();
}

IdempotencyRecord ReadRecord(sql::ResultSet& rows) {
  IdempotencyRecord record;
  record.key = rows.getString("idempotency_key");
  record.operation = rows.getString("operation");
  record.fingerprint = rows.getString("fingerprint");
  record.state = ParseState(rows.getString("state"));
  record.attempt = rows.getInt("attempt");
  record.lease_until = mysql::FromSqlTime(std::string(rows.getString("lease_until")));
  record.request = ReadBlob(rows, "request");
  record.response = ReadBlob(rows, "response");
  record.error_code = static_cast<absl::StatusCode>(rows.getInt("error_code"));
  record.error_message = rows.isNull("error_message") ? "" : rows.getString("error_message");
  record.ca_order_id = rows.isNull("ca_order_id") ? "" : rows.getString("ca_order_id");
  return record;
}

std::optional<IdempotencyRecord> SelectRecord(mysql::ConnectionPool& pool, sql::Connection& conn,
                                              absl::string_view key, bool for_update) {
  mysql::Statement select = pool.Prepare(
      conn, absl::StrCat("SELECT ", kColumns, " FROM ca_idempotency WHERE idempotency_key = ?",
                         for_update ? " FOR UPDATE" : ""));
  select->setString(1, std::string(key));
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  if (!rows->next()) {
    return std::nullopt;
  }
  return ReadRecord(*rows);
}

// Leases are measured by the database's clock alone: replicas whose clocks
// disagree must still agree on whether a lease is over.
void InsertRecord(mysql::ConnectionPool& pool, sql::Connection& conn,
                  const IdempotencyRecord& record, absl::Duration lease, absl::Time now) {
  mysql::Statement insert = pool.Prepare(
      conn,
      "INSERT INTO ca_idempotency (idempotency_key, operation, fingerprint, state, attempt,"
      " lease_until, request, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, ?, ?, ?)");
  std::istringstream request(record.request);
  insert->setString(1, record.key);
  insert->setString(2, record.operation);
  insert->setString(3, record.fingerprint);
  insert->setString(4, std::string(StateName(record.state)));
  insert->setInt(5, record.attempt);
  insert->setInt64(6, absl::ToInt64Microseconds(lease));
  insert->setBlob(7, &request);
  insert->setString(8, mysql::ToSqlTime(now));
  insert->setString(9, mysql::ToSqlTime(now));
  insert->executeUpdate();
}

// Takes an interrupted call's key over (a new attempt number and lease) if
// its lease is over by the database's clock.
bool TakeOver(mysql::ConnectionPool& pool, sql::Connection& conn, const IdempotencyRecord& record,
              absl::Time now, absl::Duration lease) {
  mysql::Statement update =
      pool.Prepare(conn,
                   "UPDATE ca_idempotency SET attempt = attempt + 1,"
                   " lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, updated_at = ?"
                   " WHERE idempotency_key = ? AND attempt = ? AND state = 'in_progress'"
                   " AND lease_until <= UTC_TIMESTAMP(6)");
  update->setInt64(1, absl::ToInt64Microseconds(lease));
  update->setString(2, mysql::ToSqlTime(now));
  update->setString(3, record.key);
  update->setInt(4, record.attempt);
  return update->executeUpdate() == 1;
}

}  // namespace

absl::StatusOr<Claim> MysqlIdempotencyStore::ClaimOrInsert(const IdempotencyRecord& insert,
                                                           Claim::Kind when_absent,
                                                           bool match_request, absl::Time now,
                                                           absl::Duration lease) {
  // Two callers inserting the same new key: the loser's INSERT fails with a
  // duplicate key, and its second round finds the winner's row.
  absl::Status last;
  for (int round = 0; round < 3; ++round) {
    Claim claim;
    last = mysql::WithTransaction(
        pool_, "claim idempotency key", [&](sql::Connection& conn) -> absl::Status {
          std::optional<IdempotencyRecord> existing = SelectRecord(pool_, conn, insert.key, true);
          if (!existing.has_value()) {
            InsertRecord(pool_, conn, insert,
                         insert.state == RecordState::kInProgress ? lease : absl::ZeroDuration(),
                         now);
            claim.kind = when_absent;
            claim.record = *SelectRecord(pool_, conn, insert.key, false);
            return absl::OkStatus();
          }
          claim.record = *std::move(existing);
          claim.kind = Claim::Kind::kExisting;
          const bool may_resume =
              claim.record.state == RecordState::kInProgress &&
              (!match_request || (claim.record.operation == insert.operation &&
                                  claim.record.fingerprint == insert.fingerprint));
          if (may_resume && TakeOver(pool_, conn, claim.record, now, lease)) {
            claim.kind = Claim::Kind::kResumed;
            claim.record = *SelectRecord(pool_, conn, insert.key, false);
          }
          return absl::OkStatus();
        });
    if (last.ok()) {
      return claim;
    }
    if (last.code() != absl::StatusCode::kAlreadyExists &&
        last.code() != absl::StatusCode::kAborted) {
      return last;
    }
  }
  return absl::AbortedError(absl::StrCat("idempotency key \"", insert.key,
                                         "\" is contended; retry (", last.message(), ")"));
}

absl::StatusOr<Claim> MysqlIdempotencyStore::ClaimKey(const IdempotencyRecord& proposed,
                                                      absl::Time now, absl::Duration lease) {
  IdempotencyRecord insert = proposed;
  insert.state = RecordState::kInProgress;
  insert.attempt = 1;
  return ClaimOrInsert(insert, Claim::Kind::kNew, /*match_request=*/true, now, lease);
}

absl::StatusOr<Claim> MysqlIdempotencyStore::ClaimForCancel(absl::string_view key,
                                                            absl::string_view operation,
                                                            absl::Time now, absl::Duration lease) {
  IdempotencyRecord tombstone;
  tombstone.key = std::string(key);
  tombstone.operation = std::string(operation);
  tombstone.state = RecordState::kCancelled;
  tombstone.attempt = 0;
  return ClaimOrInsert(tombstone, Claim::Kind::kTombstoned, /*match_request=*/false, now, lease);
}

absl::Status MysqlIdempotencyStore::Finish(const IdempotencyRecord& record, absl::Time now) {
  return pool_.Run("store idempotent answer", [&](sql::Connection& conn) -> absl::Status {
    mysql::Statement update = pool_.Prepare(
        conn,
        "UPDATE ca_idempotency SET state = ?, response = ?, error_code = ?, error_message = ?,"
        " ca_order_id = ?, lease_until = UTC_TIMESTAMP(6), updated_at = ?"
        " WHERE idempotency_key = ? AND attempt = ? AND state = 'in_progress'");
    std::istringstream response(record.response);
    update->setString(1, std::string(StateName(record.state)));
    update->setBlob(2, &response);
    update->setInt(3, static_cast<int>(record.error_code));
    update->setString(4, record.error_message);
    if (record.ca_order_id.empty()) {
      update->setNull(5, 0);
    } else {
      update->setString(5, record.ca_order_id);
    }
    update->setString(6, mysql::ToSqlTime(now));
    update->setString(7, record.key);
    update->setInt(8, record.attempt);
    if (update->executeUpdate() != 1) {
      return absl::AbortedError(
          absl::StrCat("idempotency key \"", record.key, "\" was taken over by another call"));
    }
    return absl::OkStatus();
  });
}

absl::Status MysqlIdempotencyStore::Release(absl::string_view key, int attempt, absl::Time now) {
  return pool_.Run("release idempotency key", [&](sql::Connection& conn) -> absl::Status {
    mysql::Statement update =
        pool_.Prepare(conn,
                      "UPDATE ca_idempotency SET lease_until = UTC_TIMESTAMP(6), updated_at = ?"
                      " WHERE idempotency_key = ? AND attempt = ? AND state = 'in_progress'");
    update->setString(1, mysql::ToSqlTime(now));
    update->setString(2, std::string(key));
    update->setInt(3, attempt);
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<IdempotencyRecord>> MysqlIdempotencyStore::Get(absl::string_view key) {
  std::optional<IdempotencyRecord> record;
  absl::Status status = pool_.Run("read idempotency key", [&](sql::Connection& conn) {
    record = SelectRecord(pool_, conn, key, false);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return record;
}

absl::StatusOr<int64_t> MysqlIdempotencyStore::PurgeFinished(absl::Time before, int limit) {
  int64_t purged = 0;
  absl::Status status = pool_.Run("purge finished idempotency keys", [&](sql::Connection& conn) {
    // Through the (state, updated_at) index, in a bounded batch so a large
    // backlog never holds long locks.
    mysql::Statement purge =
        pool_.Prepare(conn,
                      "DELETE FROM ca_idempotency WHERE state IN ('succeeded', 'failed')"
                      " AND updated_at < ? LIMIT ?");
    purge->setString(1, mysql::ToSqlTime(before));
    purge->setInt(2, limit);
    purged = purge->executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return purged;
}

}  // namespace sslpanel::ca::storage
