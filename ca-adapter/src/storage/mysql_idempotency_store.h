// The idempotency records in MySQL (table ca_idempotency, migration 0001).
// Each method is one short transaction; the row lock of SELECT ... FOR UPDATE
// makes claiming a key atomic across replicas. Leases are set and compared
// with the database's clock (UTC_TIMESTAMP(6)), never a replica's: a replica
// whose clock runs ahead must not take over a call that is still running.
// The `now` arguments only date the rows (created_at, updated_at).
#pragma once

#include <cstdint>

#include "ca-adapter/src/app/idempotency_store.h"
#include "common/mysql/mysql.h"

namespace sslpanel::ca::storage {

class MysqlIdempotencyStore final : public app::IdempotencyStore {
 public:
  explicit MysqlIdempotencyStore(mysql::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<app::Claim> ClaimKey(const app::IdempotencyRecord& proposed, absl::Time now,
                                      absl::Duration lease) override;
  absl::StatusOr<app::Claim> ClaimForCancel(absl::string_view key, absl::string_view operation,
                                            absl::Time now, absl::Duration lease) override;
  absl::Status Finish(const app::IdempotencyRecord& record, absl::Time now) override;
  absl::Status Release(absl::string_view key, int attempt, absl::Time now) override;
  absl::StatusOr<std::optional<app::IdempotencyRecord>> Get(absl::string_view key) override;

  // Retention: deletes up to `limit` finished records (succeeded, failed)
  // last written before `before`; returns how many. Records of running or
  // interrupted calls are never deleted (a replay must be able to resume
  // them), nor cancel tombstones (they keep a late submit from creating an
  // order nobody would cancel).
  absl::StatusOr<int64_t> PurgeFinished(absl::Time before, int limit);

 private:
  // ClaimKey and ClaimForCancel: `insert` is the row to create when the key
  // is unknown, `when_absent` the kind reported then; `match_request` limits
  // taking over to records of the same operation and fingerprint.
  absl::StatusOr<app::Claim> ClaimOrInsert(const app::IdempotencyRecord& insert,
                                           app::Claim::Kind when_absent, bool match_request,
                                           absl::Time now, absl::Duration lease);

  mysql::ConnectionPool& pool_;
};

}  // namespace sslpanel::ca::storage
