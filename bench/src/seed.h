// Fast seeding for the scale scenario: copies of one real order (made by the
// running system, so every row is consistent) with ids 1..count, written by
// INSERT ... SELECT from MariaDB's sequence engine.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/mysql/mysql.h"

namespace sslpanel::bench {

// Copies order `template_id` of database `source_db` (same server) into the
// empty, migrated database of `target` `count` times as orders 1..count,
// each with its certificates, events, outbox rows and reports. The template
// must have exactly one certificate.
absl::Status CloneOrders(const mysql::MysqlConfig& target, const std::string& source_db,
                         int64_t template_id, int64_t count);

// Rows and bytes (data + indexes) of the workflow tables of `config`.
struct TableSizes {
  int64_t orders = 0;
  int64_t bytes = 0;
};
absl::StatusOr<TableSizes> SizeOf(const mysql::MysqlConfig& config);

}  // namespace sslpanel::bench
