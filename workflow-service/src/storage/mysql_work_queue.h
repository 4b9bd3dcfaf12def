// The MySQL work queue of the processing loops. Claims use
// SELECT ... FOR UPDATE SKIP LOCKED on (status, due_at) / next_poll_at
// indexes and push the due time forward by a lease in the same transaction,
// so replicas share the work without ever holding one row at once.
#pragma once

#include "common/mysql/mysql.h"
#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::storage {

class MysqlWorkQueue final : public app::WorkQueue {
 public:
  explicit MysqlWorkQueue(mysql::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<app::OutboxItem>> ClaimOutbox(absl::Time now, int limit,
                                                           absl::Duration lease,
                                                           const std::string& owner) override;
  absl::Status RetryOutbox(int64_t id, absl::Time due, const std::string& error,
                           absl::Time now) override;
  absl::Status FinishOutbox(int64_t id, const std::string& status, const std::string& note,
                            absl::Time now) override;
  absl::StatusOr<std::vector<app::PollItem>> ClaimPolls(absl::Time now, int limit,
                                                        absl::Duration lease) override;
  absl::Status SchedulePoll(int64_t certificate_id, absl::Time next, bool failed) override;
  absl::StatusOr<std::vector<int64_t>> OrdersToExpire(absl::Time now, int limit) override;
  absl::StatusOr<std::vector<int64_t>> StuckCandidates(absl::Time now, int limit) override;
  absl::StatusOr<bool> FlagStuck(int64_t order_id, absl::Time now) override;
  absl::StatusOr<int64_t> OutboxBacklog() override;
  absl::StatusOr<int64_t> StuckOrders() override;
  absl::StatusOr<int64_t> Purge(absl::Time outbox_before, absl::Time requests_before,
                                int limit) override;

 private:
  mysql::ConnectionPool& pool_;
};

}  // namespace sslpanel::workflow::storage
