// The Sectigo adapter's state in MySQL (migration 0005): the orders (each
// creating call recorded before it is sent), the account's -42 backoff
// shared by every replica, and the per-account limit on CollectSSL calls in
// flight over all replicas (MySQL named locks, released with the session,
// so a killed replica frees its slot).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ca-adapter/src/sectigo/sectigo_order.h"
#include "common/mysql/mysql.h"

namespace sslpanel::ca::sectigo {

// Holds one of an account's CollectSSL slots until destroyed.
class PollSlot {
 public:
  PollSlot(mysql::PooledConnection conn, std::string lock_name);
  ~PollSlot();
  PollSlot(const PollSlot&) = delete;
  PollSlot& operator=(const PollSlot&) = delete;

 private:
  mysql::PooledConnection conn_;
  std::string lock_name_;
};

class SectigoStore {
 public:
  explicit SectigoStore(mysql::ConnectionPool& pool) : pool_(pool) {}

  // ALREADY_EXISTS when the key (or its unique value) is recorded already.
  absl::Status Insert(const SectigoOrder& order, absl::Time now);
  absl::StatusOr<std::optional<SectigoOrder>> FindByKey(absl::string_view key);
  absl::StatusOr<std::optional<SectigoOrder>> FindByCaOrderId(absl::string_view ca_order_id);
  // Writes if the row still has order.version (and bumps it); false when
  // another call changed it first. ALREADY_EXISTS when ca_order_id is
  // bound to another key.
  absl::StatusOr<bool> Update(SectigoOrder& order, absl::Time now);

  // Until when the account holds back after a -42 (nullopt: no backoff).
  absl::StatusOr<std::optional<absl::Time>> BackoffUntil(absl::string_view login_name);
  absl::Status SetBackoff(absl::string_view login_name, absl::Time until, absl::Time now);

  // One of `max_in_flight` slots for `login_name`, waiting up to `wait`;
  // RESOURCE_EXHAUSTED when all stay taken.
  absl::StatusOr<std::unique_ptr<PollSlot>> AcquirePollSlot(absl::string_view login_name,
                                                            int max_in_flight, absl::Duration wait);

 private:
  absl::StatusOr<std::optional<SectigoOrder>> FindBy(const char* column, absl::string_view value);

  mysql::ConnectionPool& pool_;
};

}  // namespace sslpanel::ca::sectigo
