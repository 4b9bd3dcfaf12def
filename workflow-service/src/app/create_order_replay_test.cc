// CreateOrder's repeats without a request_ids lookup before a new order
// (703b7b9): a repeat answers with the stored order whether the checks now
// refuse it or it collides in Save, and a failing Replay answers as itself,
// never "external_order_id already exists" for the client's own order.
#include <memory>
#include <string>

#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/app/testing/fake_order_store.h"
#include "workflow-service/src/app/testing/test_orders.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

namespace sslpanel::workflow::app {
namespace {

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12]}]})";
constexpr char kNoDv[] = R"({"products": [
  {"id": "ov", "validation_type": "OV", "ca_adapter": "fake", "period_months": [12]}]})";

// The fake repository with FindRequest failing while `find_request_fails`
// is set (a database blip during Replay).
class FailingRepository final : public OrderRepository {
 public:
  absl::Status find_request_fails = absl::OkStatus();
  int find_requests = 0;

  absl::StatusOr<OrderRecord> Get(int64_t order_id) override { return store.Get(order_id); }
  absl::StatusOr<OrderRecord> GetByExternalId(const std::string& id) override {
    return store.GetByExternalId(id);
  }
  absl::StatusOr<OrderPage> List(const ListQuery& query) override { return store.List(query); }
  absl::StatusOr<EventPage> ListEvents(int64_t order_id, int64_t after, int limit) override {
    return store.ListEvents(order_id, after, limit);
  }
  absl::StatusOr<OrderRecord> Save(const OrderRecord& before, const SaveRequest& save) override {
    return store.Save(before, save);
  }
  absl::StatusOr<std::optional<RequestRecord>> FindRequest(const std::string& id) override {
    ++find_requests;
    if (!find_request_fails.ok()) {
      return find_request_fails;
    }
    return store.FindRequest(id);
  }

  testing::FakeOrderRepository store;
};

class WorkflowAppCreateRepeatTest : public ::testing::Test {
 protected:
  WorkflowAppCreateRepeatTest()
      : clock_(absl::FromUnixSeconds(1780000000)),
        catalog_(*ProductCatalog::Parse(kCatalog)),
        app_(repo_, catalog_, parser_, clock_) {}

  FailingRepository repo_;
  FakeClock clock_;
  ProductCatalog catalog_;
  csr::OpenSslCsrParser parser_;
  WorkflowApp app_;
  const NewOrderInput input_ = testing::TestOrderInput("ext-1", "dv", "www.example.com");
  const Caller caller_{"test", "req-1", "CreateOrder", "fp-1", ""};
};

TEST_F(WorkflowAppCreateRepeatTest, ARepeatTheChecksNowRefuseAnswersWithTheStoredOrder) {
  auto first = app_.CreateOrder(input_, caller_);
  ASSERT_TRUE(first.ok()) << first.status();
  catalog_ = *ProductCatalog::Parse(kNoDv);  // "dv" is gone: the checks refuse
  auto fresh = app_.CreateOrder(testing::TestOrderInput("ext-2", "dv", "www.example.com"),
                                Caller{"test", "req-2", "CreateOrder", "fp-2", ""});
  EXPECT_EQ(fresh.status().code(), absl::StatusCode::kInvalidArgument) << fresh.status();

  auto again = app_.CreateOrder(input_, caller_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->order.id, first->order.id);
  EXPECT_EQ(repo_.store.Orders(), 1);
}

TEST_F(WorkflowAppCreateRepeatTest, ARepeatThatCollidesInSaveAnswersWithTheStoredOrder) {
  auto first = app_.CreateOrder(input_, caller_);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = app_.CreateOrder(input_, caller_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->order.id, first->order.id);
}

TEST_F(WorkflowAppCreateRepeatTest, AReplayFailureOnTheDuplicateExternalIdPathIsRetryable) {
  auto first = app_.CreateOrder(input_, caller_);
  ASSERT_TRUE(first.ok()) << first.status();
  repo_.find_request_fails = absl::UnavailableError("fake: database blip");
  auto again = app_.CreateOrder(input_, caller_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable) << again.status();
  EXPECT_GE(repo_.find_requests, 1);

  repo_.find_request_fails = absl::OkStatus();  // the retry gets its order
  auto retry = app_.CreateOrder(input_, caller_);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->order.id, first->order.id);
}

TEST_F(WorkflowAppCreateRepeatTest, AnotherRequestOnTheSameExternalIdIsStillAlreadyExists) {
  ASSERT_TRUE(app_.CreateOrder(input_, caller_).ok());
  auto other = app_.CreateOrder(input_, Caller{"test", "req-9", "CreateOrder", "fp-1", ""});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists) << other.status();
  auto reused = app_.CreateOrder(testing::TestOrderInput("ext-3", "dv", "www.example.com"),
                                 Caller{"test", "req-1", "CreateOrder", "fp-other", ""});
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists) << reused.status();
}

}  // namespace
}  // namespace sslpanel::workflow::app
