// The sandbox CA's orders in MySQL (table sandbox_orders, migration 0002).
// Updates are optimistic: they apply only to the version that was read.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ca-adapter/src/sandbox/sandbox_order.h"
#include "common/mysql/mysql.h"

namespace sslpanel::ca::sandbox {

class SandboxOrderStore {
 public:
  explicit SandboxOrderStore(mysql::ConnectionPool& pool) : pool_(pool) {}

  // ALREADY_EXISTS when the id or the idempotency key is taken.
  absl::Status Insert(const SandboxOrder& order, absl::Time now);
  absl::StatusOr<std::optional<SandboxOrder>> FindById(absl::string_view ca_order_id);
  absl::StatusOr<std::optional<SandboxOrder>> FindByIdempotencyKey(absl::string_view key);
  // Writes `order` if the stored row still has order.version, and bumps the
  // version; false when another call changed the row first.
  absl::StatusOr<bool> Update(SandboxOrder& order, absl::Time now);

 private:
  absl::StatusOr<std::optional<SandboxOrder>> FindBy(const char* column, absl::string_view value);

  mysql::ConnectionPool& pool_;
};

}  // namespace sslpanel::ca::sandbox
