// The MySQL implementation of the order repository: orders, certificates,
// events, prevalidation reports, request ids and outbox rows. A transition is
// one transaction around a version-guarded UPDATE; zero rows updated is a
// lost race (ABORTED), never ignored.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/mysql/mysql.h"
#include "workflow-service/src/app/ports.h"
#include "workflow-service/src/storage/order_snapshots.h"

namespace sql {
class Connection;
}  // namespace sql

namespace sslpanel::workflow::storage {

class MysqlOrderRepository final : public app::OrderRepository {
 public:
  // `installation_id` prefixes the idempotency keys of new outbox rows
  // (storage/installation.h).
  MysqlOrderRepository(mysql::ConnectionPool& pool, std::string installation_id)
      : pool_(pool), installation_id_(std::move(installation_id)) {}

  absl::StatusOr<app::OrderRecord> Get(int64_t order_id) override;
  absl::StatusOr<app::OrderRecord> GetByExternalId(const std::string& external_order_id) override;
  absl::StatusOr<app::OrderPage> List(const app::ListQuery& query) override;
  absl::StatusOr<app::EventPage> ListEvents(int64_t order_id, int64_t after_event_id,
                                            int limit) override;
  absl::StatusOr<app::OrderRecord> Save(const app::OrderRecord& before,
                                        const app::SaveRequest& save) override;
  absl::StatusOr<std::optional<app::RequestRecord>> FindRequest(
      const std::string& request_id) override;

  // Every Save with events also keeps the order as of that version
  // (order_snapshots.h), encoded by `encode`; unset: no snapshots.
  void set_snapshot_encoder(OrderSnapshotEncoder encode) { encode_snapshot_ = std::move(encode); }
  // Called after each commit that wrote events (wakes the event feed). Set
  // before serving; it must be cheap and must not block.
  void set_on_events_committed(std::function<void()> callback) {
    on_events_committed_ = std::move(callback);
  }

  // Loads several orders in four queries (orders, certificates, events,
  // latest prevalidation), in the order of `ids`; missing ids are skipped.
  absl::StatusOr<std::vector<app::OrderRecord>> LoadMany(const std::vector<int64_t>& ids);

 private:
  mysql::ConnectionPool& pool_;
  const std::string installation_id_;
  OrderSnapshotEncoder encode_snapshot_;
  std::function<void()> on_events_committed_;
};

}  // namespace sslpanel::workflow::storage
