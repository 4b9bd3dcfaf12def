// Reads the storage adapters repeat: a nullable DATETIME column by name,
// every row of one query, and one row by id or NOT_FOUND. Internal to
// storage/ (as order_rows.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/mysql/mysql.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {

// A nullable DATETIME column read by name.
std::optional<absl::Time> TimeOrNull(const Rows& rows, const char* column);

// Runs `select` (through the pool's statement cache, its parameters bound by
// `bind`) on a connection of its own and hands every row it returns to
// `read`. `what` names the operation, as in ConnectionPool::Run.
absl::Status ForEachRow(mysql::ConnectionPool& pool, absl::string_view what,
                        const std::string& select,
                        const std::function<void(sql::PreparedStatement&)>& bind,
                        const std::function<void(const Rows&)>& read);

// ForEachRow with `id` bound to the one ? parameter of `select`.
absl::Status ForEachRowById(mysql::ConnectionPool& pool, absl::string_view what,
                            const std::string& select, int64_t id,
                            const std::function<void(const Rows&)>& read);

// The row `select` finds by its one ? parameter, `id` (a primary key), read
// by `read`; not_found(id) when there is none.
template <typename Row>
absl::StatusOr<Row> GetById(mysql::ConnectionPool& pool, absl::string_view what,
                            const std::string& select, int64_t id, Row (*read)(const Rows&),
                            absl::Status (*not_found)(int64_t)) {
  std::optional<Row> found;
  absl::Status status =
      ForEachRowById(pool, what, select, id, [&](const Rows& rows) { found = read(rows); });
  if (!status.ok()) {
    return status;
  }
  if (!found.has_value()) {
    return not_found(id);
  }
  return *std::move(found);
}

}  // namespace sslpanel::workflow::storage
