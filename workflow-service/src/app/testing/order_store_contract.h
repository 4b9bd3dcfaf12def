// The contract of app/ports.h (OrderRepository) and app/processing_ports.h
// (WorkQueue) as one typed test suite, run against the in-memory fakes
// (fake_order_store_test.cc, a unit test) and against MySQL
// (storage/order_store_contract_test.cc, an integration test), so the fakes
// the processor's tests rely on cannot drift from the real thing.
//
// A Backend is default-constructible and has
//   absl::Status Open();             // a fresh, empty store
//   OrderRepository& repo();
//   WorkQueue& queue();
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/app/ports.h"
#include "workflow-service/src/app/processing_ports.h"
#include "workflow-service/src/app/testing/test_orders.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

namespace sslpanel::workflow::app::testing {

// Forwards to a repository and keeps the last SaveRequest, so a test can
// send the same write again.
class RecordingRepository final : public OrderRepository {
 public:
  explicit RecordingRepository(OrderRepository& repo) : repo_(repo) {}
  absl::StatusOr<OrderRecord> Get(int64_t id) override { return repo_.Get(id); }
  absl::StatusOr<OrderRecord> GetByExternalId(const std::string& id) override {
    return repo_.GetByExternalId(id);
  }
  absl::StatusOr<OrderPage> List(const ListQuery& query) override { return repo_.List(query); }
  absl::StatusOr<EventPage> ListEvents(int64_t id, int64_t after, int limit) override {
    return repo_.ListEvents(id, after, limit);
  }
  absl::StatusOr<std::optional<RequestRecord>> FindRequest(const std::string& id) override {
    return repo_.FindRequest(id);
  }
  absl::StatusOr<OrderRecord> Save(const OrderRecord& before, const SaveRequest& save) override {
    last_before = before;
    last_save = save;
    return repo_.Save(before, save);
  }

  OrderRecord last_before;
  SaveRequest last_save;

 private:
  OrderRepository& repo_;
};

template <typename Backend>
class OrderStoreContract : public ::testing::Test {
 protected:
  OrderStoreContract() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    ASSERT_TRUE(backend_.Open().ok());
    recording_ = std::make_unique<RecordingRepository>(backend_.repo());
    catalog_ = *ProductCatalog::Parse(R"({"products": [
      {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12],
       "max_additional_names": 5}]})");
    app_ = std::make_unique<WorkflowApp>(*recording_, catalog_, parser_, clock_,
                                         SlaOptions{absl::Minutes(15), absl::Hours(72)});
  }

  OrderRepository& repo() { return backend_.repo(); }
  WorkQueue& queue() { return backend_.queue(); }

  OrderRecord Create(const std::string& external_id) {
    auto created = app_->CreateOrder(TestOrderInput(external_id, "dv", "www.example.com"),
                                     Caller{"test", "create-" + external_id, "CreateOrder", "fp"});
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : OrderRecord{};
  }

  absl::StatusOr<OrderRecord> Apply(int64_t order_id, const domain::Command& command) {
    return ApplyCommand(*app_, clock_, order_id, 0, command);
  }

  int64_t Backlog() { return *queue().OutboxBacklog(); }

  FakeClock clock_;
  Backend backend_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<RecordingRepository> recording_;
  ProductCatalog catalog_;
  std::unique_ptr<WorkflowApp> app_;
};

TYPED_TEST_SUITE_P(OrderStoreContract);

TYPED_TEST_P(OrderStoreContract, ASavedOrderReadsBackWithItsIdsEventsAndRequest) {
  const OrderRecord created = this->Create("ext-1");
  ASSERT_GT(created.order.id, 0);
  ASSERT_GT(created.order.certificates[0].id, 0);
  EXPECT_EQ(created.order.version, 1);
  auto loaded = this->repo().Get(created.order.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->order.version, 1);
  EXPECT_EQ(loaded->order.certificates[0].id, created.order.certificates[0].id);
  ASSERT_EQ(loaded->events.size(), 2u);
  EXPECT_GT(loaded->events[0].id, 0);
  EXPECT_GT(loaded->events[1].id, loaded->events[0].id);
  EXPECT_EQ(loaded->events[0].event.type, "CREATED");
  EXPECT_EQ(this->repo().GetByExternalId("ext-1")->order.id, created.order.id);
  EXPECT_EQ(this->repo().Get(created.order.id + 1000).status().code(), absl::StatusCode::kNotFound);
  auto request = this->repo().FindRequest("create-ext-1");
  ASSERT_TRUE(request.ok() && request->has_value());
  EXPECT_EQ((*request)->order_id, created.order.id);
  EXPECT_EQ((*request)->method, "CreateOrder");
  EXPECT_FALSE(this->repo().FindRequest("never")->has_value());
  auto events = this->repo().ListEvents(created.order.id, loaded->events[0].id, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events.size(), 1u);
  EXPECT_EQ(events->events[0].id, loaded->events[1].id);
  EXPECT_FALSE(events->more);
}

TYPED_TEST_P(OrderStoreContract, AStaleVersionIsAbortedAndWritesNothing) {
  const OrderRecord created = this->Create("ext-1");
  ASSERT_TRUE(
      this->Apply(created.order.id, domain::command::CaAccepted{1, "CA-1", "pending"}).ok());
  const OrderRecord before = this->recording_->last_before;  // version 1
  const SaveRequest save = this->recording_->last_save;
  auto again = this->repo().Save(before, save);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAborted) << again.status();
  auto loaded = this->repo().Get(created.order.id);
  EXPECT_EQ(loaded->order.version, 2);
  EXPECT_EQ(loaded->events.size(), created.events.size() + save.decision.events.size());
}

TYPED_TEST_P(OrderStoreContract, DuplicatesAreAlreadyExistsNamingTheKeyAndWriteNothing) {
  this->Create("ext-1");
  const SaveRequest create = this->recording_->last_save;
  const int64_t backlog = this->Backlog();

  SaveRequest same_external_id = create;
  same_external_id.request->request_id = "another-request";
  auto saved = this->repo().Save(OrderRecord{}, same_external_id);
  EXPECT_EQ(saved.status().code(), absl::StatusCode::kAlreadyExists) << saved.status();
  EXPECT_EQ(saved.status().GetPayload(kDuplicatePayload), absl::Cord(kDuplicateExternalOrderId));

  SaveRequest same_request_id = create;
  same_request_id.decision.order.external_order_id = "ext-2";
  saved = this->repo().Save(OrderRecord{}, same_request_id);
  EXPECT_EQ(saved.status().code(), absl::StatusCode::kAlreadyExists) << saved.status();
  EXPECT_EQ(saved.status().GetPayload(kDuplicatePayload), absl::Cord(kDuplicateRequestId));

  EXPECT_EQ(this->repo().GetByExternalId("ext-2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(this->repo().FindRequest("another-request")->has_value());
  EXPECT_EQ(this->Backlog(), backlog) << "no outbox row from a refused save";
}

TYPED_TEST_P(OrderStoreContract, OutboxRowsAreClaimedUnderALeaseAndFinishedOnce) {
  const OrderRecord created = this->Create("ext-1");
  const absl::Time now = this->clock_.Now();
  const absl::Duration lease = absl::Minutes(1);
  EXPECT_EQ(this->Backlog(), 1);
  auto first = this->queue().ClaimOutbox(now, 10, lease, "a");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  const OutboxItem item = (*first)[0];
  EXPECT_EQ(item.order_id, created.order.id);
  EXPECT_EQ(item.certificate_id, created.order.certificates[0].id);
  EXPECT_EQ(item.attempts, 1);
  EXPECT_FALSE(item.idempotency_key.empty());
  EXPECT_TRUE(this->queue().ClaimOutbox(now, 10, lease, "b")->empty()) << "leased";
  auto after_lease = this->queue().ClaimOutbox(now + lease, 10, lease, "b");
  ASSERT_EQ(after_lease->size(), 1u) << "a claimer that died leaves the row to the others";
  EXPECT_EQ((*after_lease)[0].attempts, 2);
  EXPECT_EQ((*after_lease)[0].idempotency_key, item.idempotency_key);

  ASSERT_TRUE(this->queue().RetryOutbox(item.id, now + absl::Hours(1), "CA down", now).ok());
  EXPECT_TRUE(this->queue().ClaimOutbox(now + absl::Minutes(59), 10, lease, "a")->empty());
  EXPECT_EQ(this->queue().ClaimOutbox(now + absl::Hours(1), 10, lease, "a")->size(), 1u);

  ASSERT_TRUE(this->queue().FinishOutbox(item.id, "DONE", "", now).ok());
  EXPECT_EQ(this->Backlog(), 0);
  ASSERT_TRUE(this->queue().RetryOutbox(item.id, now, "late", now).ok());
  EXPECT_TRUE(this->queue().ClaimOutbox(now + absl::Hours(9), 10, lease, "a")->empty())
      << "a finished row stays finished";

  EXPECT_EQ(*this->queue().Purge(now, now, 100), 0) << "nothing old enough yet";
  EXPECT_EQ(*this->queue().Purge(now + absl::Hours(2), now + absl::Seconds(1), 100), 2)
      << "the finished row and the request id";
  EXPECT_FALSE(this->repo().FindRequest("create-ext-1")->has_value());
}

TYPED_TEST_P(OrderStoreContract, StatusChecksAreClaimedUnderALeaseAndScheduled) {
  const OrderRecord created = this->Create("ext-1");
  const absl::Time now = this->clock_.Now();
  EXPECT_TRUE(this->queue().ClaimPolls(now, 10, absl::Minutes(1))->empty()) << "not at the CA yet";
  ASSERT_TRUE(
      this->Apply(created.order.id, domain::command::CaAccepted{1, "CA-1", "pending"}).ok());
  auto polls = this->queue().ClaimPolls(now, 10, absl::Minutes(1));
  ASSERT_TRUE(polls.ok());
  ASSERT_EQ(polls->size(), 1u);
  EXPECT_EQ((*polls)[0].certificate_id, created.order.certificates[0].id);
  EXPECT_EQ((*polls)[0].order_id, created.order.id);
  EXPECT_EQ((*polls)[0].failures, 0);
  EXPECT_TRUE(this->queue().ClaimPolls(now, 10, absl::Minutes(1))->empty()) << "leased";
  ASSERT_TRUE(this->queue()
                  .SchedulePoll(created.order.certificates[0].id, now + absl::Hours(1), true)
                  .ok());
  EXPECT_TRUE(this->queue().ClaimPolls(now + absl::Minutes(59), 10, absl::Minutes(1))->empty());
  polls = this->queue().ClaimPolls(now + absl::Hours(1), 10, absl::Minutes(1));
  ASSERT_EQ(polls->size(), 1u);
  EXPECT_EQ((*polls)[0].failures, 1);
}

TYPED_TEST_P(OrderStoreContract, AnAcceptanceSavedWithAFirstCheckTimeIsNotDueBeforeIt) {
  const OrderRecord created = this->Create("ext-1");
  const absl::Time now = this->clock_.Now();
  // SaveRequest::first_check_at: the next_poll_at of a newly watched
  // certificate (a delivery that checks it itself leases the check).
  OutcomeExtras extras;
  extras.first_check_at = now + absl::Minutes(5);
  ASSERT_TRUE(this->app_
                  ->Record(created.order.id, created.order.certificates[0].id,
                           {domain::command::CaAccepted{1, "CA-1", "pending"}}, "ca:fake", extras)
                  .ok());
  EXPECT_TRUE(this->queue().ClaimPolls(now, 10, absl::Minutes(1))->empty());
  EXPECT_TRUE(this->queue().ClaimPolls(now + absl::Minutes(4), 10, absl::Minutes(1))->empty());
  auto polls = this->queue().ClaimPolls(now + absl::Minutes(5), 10, absl::Minutes(1));
  ASSERT_TRUE(polls.ok());
  ASSERT_EQ(polls->size(), 1u);
  EXPECT_EQ((*polls)[0].certificate_id, created.order.certificates[0].id);
  EXPECT_EQ((*polls)[0].failures, 0);
}

TYPED_TEST_P(OrderStoreContract, AnOrderPastItsSlaIsFlaggedStuckOnceAndProgressClearsIt) {
  const OrderRecord created = this->Create("ext-1");
  const absl::Time now = this->clock_.Now();
  EXPECT_TRUE(this->queue().StuckCandidates(now, 10)->empty());
  const absl::Time late = now + absl::Minutes(16);
  auto candidates = this->queue().StuckCandidates(late, 10);
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0], created.order.id);
  EXPECT_TRUE(*this->queue().FlagStuck(created.order.id, late));
  EXPECT_FALSE(*this->queue().FlagStuck(created.order.id, late)) << "flagged once";
  EXPECT_EQ(*this->queue().StuckOrders(), 1);
  EXPECT_TRUE(this->repo().Get(created.order.id)->order.stuck_since.has_value());
  ListQuery stuck;
  stuck.stuck_only = true;
  EXPECT_EQ(this->repo().List(stuck)->orders.size(), 1u);
  ASSERT_TRUE(
      this->Apply(created.order.id, domain::command::CaAccepted{1, "CA-1", "pending"}).ok());
  EXPECT_FALSE(this->repo().Get(created.order.id)->order.stuck_since.has_value());
  EXPECT_EQ(*this->queue().StuckOrders(), 0);
}

TYPED_TEST_P(OrderStoreContract, ListPagesNewestFirst) {
  const int64_t first = this->Create("ext-1").order.id;
  const int64_t second = this->Create("ext-2").order.id;
  const int64_t third = this->Create("ext-3").order.id;
  ListQuery query;
  query.limit = 2;
  auto page = this->repo().List(query);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->orders.size(), 2u);
  EXPECT_EQ(page->orders[0].order.id, third);
  EXPECT_EQ(page->orders[1].order.id, second);
  EXPECT_TRUE(page->more);
  query.before_order_id = second;
  page = this->repo().List(query);
  ASSERT_EQ(page->orders.size(), 1u);
  EXPECT_EQ(page->orders[0].order.id, first);
  EXPECT_FALSE(page->more);
}

REGISTER_TYPED_TEST_SUITE_P(OrderStoreContract, ASavedOrderReadsBackWithItsIdsEventsAndRequest,
                            AStaleVersionIsAbortedAndWritesNothing,
                            DuplicatesAreAlreadyExistsNamingTheKeyAndWriteNothing,
                            OutboxRowsAreClaimedUnderALeaseAndFinishedOnce,
                            StatusChecksAreClaimedUnderALeaseAndScheduled,
                            AnAcceptanceSavedWithAFirstCheckTimeIsNotDueBeforeIt,
                            AnOrderPastItsSlaIsFlaggedStuckOnceAndProgressClearsIt,
                            ListPagesNewestFirst);

}  // namespace sslpanel::workflow::app::testing
