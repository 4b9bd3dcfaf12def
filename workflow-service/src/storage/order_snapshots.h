// The order as it stood at each saved version that had events: one row per
// (order, version), written in Save's transaction and kept for a retention.
// The webhook payload and WatchOrderEvents include_order read it. The bytes
// are whatever the encoder main() injects (the serialized v1.Order), so
// storage stays free of the API types.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql/mysql.h"
#include "workflow-service/src/app/records.h"

namespace sql {
class Connection;
}  // namespace sql

namespace sslpanel::workflow::storage {

// The bytes to keep for an order as saved.
using OrderSnapshotEncoder = std::function<std::string(const app::OrderRecord&)>;

// Inserts (or, for a replayed version, replaces) the snapshot of `record`
// at its version, on `conn` inside the caller's transaction. Throws
// sql::SQLException like any statement.
void WriteOrderSnapshot(mysql::ConnectionPool& pool, sql::Connection& conn,
                        const app::OrderRecord& record, const OrderSnapshotEncoder& encode,
                        absl::Time now);

// The snapshot of `order_id` at `version`, nullopt when none is kept.
absl::StatusOr<std::optional<std::string>> GetSnapshot(mysql::ConnectionPool& pool,
                                                       int64_t order_id, int64_t version);

// Deletes at most `limit` snapshots written before `before`; returns how many.
absl::StatusOr<int64_t> PurgeSnapshots(mysql::ConnectionPool& pool, absl::Time before, int limit);

}  // namespace sslpanel::workflow::storage
