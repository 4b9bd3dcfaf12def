// In-memory fakes of the OrderRepository and the WorkQueue, sharing one
// store, for tests that need no MariaDB. They keep the contracts of
// app/ports.h and app/processing_ports.h as the MySQL implementations do
// (order_store_contract.h checks both against the same tests): a Save is
// all or nothing, a stale version is ABORTED, a duplicate request id or
// external order id is ALREADY_EXISTS with its DuplicateKind payload, and
// outbox rows and status checks are claimed under leases. Pure C++: no
// gRPC, protobuf or MySQL.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "workflow-service/src/app/ports.h"
#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::app::testing {

// An outbox row as the fake keeps it: what a claim hands out (with the
// attempts made so far) and the delivery state.
struct FakeOutboxRow {
  OutboxItem item;
  std::string status = "PENDING";  // PENDING, DONE, FAILED, CANCELLED
  absl::Time due_at;
  std::optional<std::string> lease_owner;
  std::optional<std::string> last_error;
};

class FakeOrderRepository final : public OrderRepository {
 public:
  // `installation_id` prefixes the idempotency keys of new outbox rows.
  explicit FakeOrderRepository(std::string installation_id = "00000000000000a1")
      : installation_id_(std::move(installation_id)) {}

  absl::StatusOr<OrderRecord> Get(int64_t order_id) override;
  absl::StatusOr<OrderRecord> GetByExternalId(const std::string& external_order_id) override;
  absl::StatusOr<OrderPage> List(const ListQuery& query) override;
  absl::StatusOr<EventPage> ListEvents(int64_t order_id, int64_t after_event_id,
                                       int limit) override;
  absl::StatusOr<OrderRecord> Save(const OrderRecord& before, const SaveRequest& save) override;
  absl::StatusOr<std::optional<RequestRecord>> FindRequest(const std::string& request_id) override;

  // What a test inspects where the MySQL tests query the tables.
  std::vector<FakeOutboxRow> OutboxRows() const;
  // Certificates the CA status sync watches (next_poll_at set).
  int WatchedCertificates() const;
  int RequestIds() const;
  int Orders() const;

 private:
  friend class FakeWorkQueue;

  struct StoredOrder {
    domain::Order order;
    std::optional<absl::Time> sla_deadline;
    std::string reseller_code;  // as of the last save, like the column
    std::vector<EventRecord> events;
    std::vector<PrevalidationRecord> reports;
  };
  struct CertificateRow {
    int64_t order_id = 0;
    std::optional<absl::Time> next_poll_at;
    int poll_failures = 0;
  };
  struct RequestRow {
    RequestRecord record;
    absl::Time created_at;
  };

  OrderRecord Record(const StoredOrder& stored) const;
  // A certificate newly watched is first due at `first_check`.
  void WriteCertificates(const domain::Order& before, domain::Order& order, absl::Time first_check);
  void WriteOutbox(const SaveRequest& save, const domain::Order& order, absl::Time now);

  const std::string installation_id_;
  mutable std::mutex mu_;
  std::map<int64_t, StoredOrder> orders_;
  std::map<std::string, int64_t> by_external_id_;
  std::map<int64_t, CertificateRow> certificates_;
  std::map<std::string, RequestRow> requests_;
  std::map<int64_t, FakeOutboxRow> outbox_;
  int64_t next_order_id_ = 1;
  int64_t next_certificate_id_ = 1;
  int64_t next_event_id_ = 1;
  int64_t next_outbox_id_ = 1;
};

class FakeWorkQueue final : public WorkQueue {
 public:
  explicit FakeWorkQueue(FakeOrderRepository& store) : store_(store) {}

  absl::StatusOr<std::vector<OutboxItem>> ClaimOutbox(absl::Time now, int limit,
                                                      absl::Duration lease,
                                                      const std::string& owner) override;
  absl::Status RetryOutbox(int64_t id, absl::Time due, const std::string& error,
                           absl::Time now) override;
  absl::Status FinishOutbox(int64_t id, const std::string& status, const std::string& note,
                            absl::Time now) override;
  absl::StatusOr<std::vector<PollItem>> ClaimPolls(absl::Time now, int limit,
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
  FakeOrderRepository& store_;
};

}  // namespace sslpanel::workflow::app::testing
