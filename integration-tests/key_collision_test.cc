// Idempotency keys across workflow databases, end to end: a fresh workflow
// database pointed at a sandbox CA adapter that already served another one
// (so the same low certificate ids) completes every order; a copy that shares
// the other's installation id (a restored backup) gets a visible hold instead
// of endless retries, and the documented operator steps release it.
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

using ::testing::HasSubstr;

constexpr auto ACTIVE = v1::CERTIFICATE_STATUS_ACTIVE;
constexpr int kOrders = 4;

class KeyCollisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto system = System::Start(options_);
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = *std::move(system);
  }

  // Creates kOrders DV orders named `prefix`-i and returns their ids.
  std::vector<std::string> CreateOrders(const std::string& prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < kOrders; ++i) {
      const std::string name = absl::StrCat(prefix, "-", i);
      auto created = Create(system_->workflow(), DvOrder(name, name + ".example.com"));
      EXPECT_TRUE(created.ok()) << created.status();
      if (created.ok()) {
        ids.push_back(created->order_id());
      }
    }
    return ids;
  }

  void ExpectAllActive(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      auto active = system_->WaitFor(
          id, [](const v1::Order& o) { return CertificateIs(o, 0, ACTIVE); }, "ACTIVE",
          absl::Seconds(20));
      EXPECT_TRUE(active.ok()) << active.status();
    }
  }

  SystemOptions options_;
  std::unique_ptr<System> system_;
};

TEST_F(KeyCollisionTest, FreshDatabaseOnAnAdapterThatServedAnotherCompletesEveryOrder) {
  const std::vector<std::string> first = CreateOrders("first");
  ExpectAllActive(first);
  auto first_id = system_->WorkflowInstallationId();
  ASSERT_TRUE(first_id.ok()) << first_id.status();

  // A rebuilt cluster or a staging database: its ids start at 1 again.
  ASSERT_TRUE(system_->UseFreshWorkflowDatabase(options_, /*same_installation_id=*/false).ok());
  auto second_id = system_->WorkflowInstallationId();
  ASSERT_TRUE(second_id.ok());
  EXPECT_NE(*second_id, *first_id) << "each migrated database draws its own installation id";
  const std::vector<std::string> second = CreateOrders("second");
  EXPECT_EQ(second, first) << "the point of the test: the same low order ids";
  ExpectAllActive(second);
  // Every order is its own CA order: nothing was answered from the other
  // database's records.
  EXPECT_EQ(*system_->SandboxOrderCount(), 2 * kOrders);
  EXPECT_EQ(*system_->SandboxDistinctKeys(), 2 * kOrders);
}

TEST_F(KeyCollisionTest, CopyWithTheSameInstallationIdIsHeldVisiblyNotRetried) {
  const std::vector<std::string> first = CreateOrders("first");
  ExpectAllActive(first);

  // A restored backup (or a copy) keeps the original's installation id.
  ASSERT_TRUE(system_->UseFreshWorkflowDatabase(options_, /*same_installation_id=*/true).ok());
  auto created = Create(system_->workflow(), DvOrder("copy-0", "copy-0.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  auto held = system_->WaitFor(
      created->order_id(),
      [](const v1::Order& o) {
        return o.certificates_size() > 0 &&
               o.certificates(0).hold_reason() == v1::HOLD_REASON_CA_KEY_CONFLICT &&
               o.has_stuck_since();
      },
      "held for a key conflict and flagged stuck", absl::Seconds(20));
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_THAT(held->certificates(0).last_error(), HasSubstr("used for a different"));
  EXPECT_THAT(held->allowed_actions(), ::testing::Contains(v1::ACTION_SUBMIT));
  auto events = Events(system_->workflow(), created->order_id());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(EventTypes(*events).back(), "CA_KEY_CONFLICT");
  // Not retried: the adapter created nothing more, and the order stays held.
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(*system_->SandboxOrderCount(), kOrders);
  auto still = Get(system_->workflow(), created->order_id());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->certificates(0).hold_reason(), v1::HOLD_REASON_CA_KEY_CONFLICT);

  // The operator's steps (README): give the copy its own id, then submit the
  // held order again; it goes out with a new key and completes.
  auto copied_id = system_->WorkflowInstallationId();
  ASSERT_TRUE(copied_id.ok());
  ASSERT_TRUE(system_->MigrateWorkflowAndRestart(options_, {"--new_installation_id"}).ok());
  auto own_id = system_->WorkflowInstallationId();
  ASSERT_TRUE(own_id.ok());
  EXPECT_NE(*own_id, *copied_id);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SubmitOrderRequest submit;
  submit.set_request_id("release-copy-0");
  submit.set_order_id(created->order_id());
  submit.set_actor("ops:test");
  v1::SubmitOrderResponse response;
  grpc::Status status = system_->workflow().SubmitOrder(&context, submit, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectAllActive({created->order_id()});
  auto done = Get(system_->workflow(), created->order_id());
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->has_stuck_since());
}

}  // namespace
}  // namespace sslpanel::integration
