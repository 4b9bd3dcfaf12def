// The writers MysqlOrderRepository::Save runs in its transaction, one per
// table. Each writes its table's rows of a decision and records in
// `ctx.after` what it assigned (ids, versions); later writers use those.
// A writer returns an error status to abort the save; connector exceptions
// propagate to WithTransaction, which turns them into statuses. Internal to
// storage/: only the MysqlOrderRepository .cc files include it.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/mysql/mysql.h"
#include "workflow-service/src/app/records.h"

namespace sql {
class Connection;
}  // namespace sql

namespace sslpanel::workflow::storage {

// What every writer of one Save sees.
struct SaveContext {
  mysql::ConnectionPool& pool;
  sql::Connection& conn;
  // Prefixes the idempotency keys of new outbox rows.
  const std::string& installation_id;
  const app::OrderRecord& before;
  const app::SaveRequest& save;
  // The order as stored: the decision's order, with ids and version filled
  // in by the writers, and the events and report as they will read back.
  app::OrderRecord& after;
  absl::Time now;
  std::string now_sql;
};

using OrderWriter = absl::Status (*)(SaveContext& ctx);

// orders: inserted (assigns the order id), or updated only at the version
// read (ABORTED when it is gone).
absl::Status WriteOrderRow(SaveContext& ctx);
// request_ids: the idempotency record, in the same transaction as its effect.
absl::Status WriteRequestId(SaveContext& ctx);
// certificates: new ones inserted (assigns their ids), changed ones updated.
absl::Status WriteCertificates(SaveContext& ctx);
// order_events: the decision's events, appended.
absl::Status WriteEvents(SaveContext& ctx);
// outbox: a row per intent, delivered after commit.
absl::Status WriteOutbox(SaveContext& ctx);
// prevalidation_reports: the new report, and the override of the latest one.
absl::Status WritePrevalidation(SaveContext& ctx);
// outbox: the row whose delivery led to this save is done.
absl::Status CompleteOutbox(SaveContext& ctx);

}  // namespace sslpanel::workflow::storage
