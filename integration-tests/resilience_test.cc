// Failures a production deployment meets: several replicas on one database,
// a replica killed at an arbitrary instruction, a CA adapter that goes away
// for a while. Orders still reach their state and no CA order is created
// twice (the sandbox records one row per CA order it ever created).
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

using ::testing::HasSubstr;

constexpr auto ACTIVE = v1::CERTIFICATE_STATUS_ACTIVE;

// Creates `count` DV orders, spread over the replicas; returns their ids.
std::vector<std::string> CreateMany(System& system, int replicas, const std::string& prefix,
                                    int count) {
  std::vector<std::string> ids(count);
  std::vector<std::thread> threads;
  std::atomic<int> next{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        auto created =
            Create(system.workflow(i % replicas),
                   DvOrder(absl::StrCat(prefix, i), absl::StrCat(prefix, i, ".example.com")));
        EXPECT_TRUE(created.ok()) << created.status();
        if (created.ok()) {
          ids[i] = created->order_id();
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  return ids;
}

void ExpectAllActive(System& system, const std::vector<std::string>& ids, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (const std::string& id : ids) {
    ASSERT_FALSE(id.empty());
    auto active = system.WaitFor(
        id, [](const v1::Order& o) { return CertificateIs(o, 0, ACTIVE); }, "ACTIVE",
        std::max(deadline - absl::Now(), absl::Seconds(1)));
    ASSERT_TRUE(active.ok()) << active.status();
    EXPECT_EQ(active->certificates_size(), 1);
  }
}

TEST(Resilience, TwoReplicasShareTheWorkAndCreateEachCaOrderOnce) {
  SystemOptions options;
  options.workflow_replicas = 2;
  options.sandbox_flags = {"--issue_delay=300ms"};  // some orders are polled, not issued at once
  auto system = System::Start(options);
  ASSERT_TRUE(system.ok()) << system.status();
  const std::vector<std::string> ids = CreateMany(**system, 2, "two-", 200);
  ExpectAllActive(**system, ids, absl::Seconds(120));
  EXPECT_EQ(*(*system)->SandboxOrderCount(), 200);
  EXPECT_EQ(*(*system)->SandboxDistinctKeys(), 200);
}

TEST(Resilience, KilledReplicaLosesNothingAndDuplicatesNothing) {
  SystemOptions options;
  options.sandbox_flags = {"--issue_delay=300ms"};
  // A short lease so rows the dead replica held are taken over within seconds.
  options.workflow_flags = {"--lease=3s", "--call_timeout=2s"};
  auto system = System::Start(options);
  ASSERT_TRUE(system.ok()) << system.status();
  constexpr int kOrders = 80;
  std::vector<std::string> ids(kOrders);
  std::atomic<int> created{0};
  // A client that retries the same request (same request_id) until it gets an
  // answer, as the ordering system does: a create whose answer died with the
  // replica is replayed, not duplicated.
  std::thread client([&] {
    for (int i = 0; i < kOrders; ++i) {
      const v1::CreateOrderRequest request =
          DvOrder(absl::StrCat("kill-", i), absl::StrCat("kill", i, ".example.com"));
      const absl::Time give_up = absl::Now() + absl::Seconds(30);
      while (absl::Now() < give_up) {
        auto order = Create((*system)->workflow(), request);
        if (order.ok()) {
          ids[i] = order->order_id();
          ++created;
          break;
        }
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
  });
  while (created.load() < kOrders / 4) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  // kill -9 in the middle of the storm: deliveries and checks are in flight.
  ASSERT_TRUE((*system)->workflow_process().Restart(/*kill_hard=*/true).ok());
  client.join();
  ASSERT_EQ(created.load(), kOrders);
  ExpectAllActive(**system, ids, absl::Seconds(90));
  EXPECT_EQ(*(*system)->SandboxOrderCount(), kOrders);
  EXPECT_EQ(*(*system)->SandboxDistinctKeys(), kOrders);
}

TEST(Resilience, OrdersWaitVisiblyWhileTheCaAdapterIsDownAndCompleteWhenItReturns) {
  auto system = System::Start({});
  ASSERT_TRUE(system.ok()) << system.status();
  ASSERT_TRUE((*system)->sandbox().process().Terminate().ok());
  auto created = Create((*system)->workflow(), DvOrder("down-1", "down1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  auto waiting = (*system)->WaitFor(
      created->order_id(),
      [](const v1::Order& o) { return !o.certificates(0).last_error().empty(); },
      "showing the adapter error");
  ASSERT_TRUE(waiting.ok()) << waiting.status();
  EXPECT_EQ(waiting->certificates(0).status(), v1::CERTIFICATE_STATUS_OPEN);
  EXPECT_EQ(waiting->certificates(0).hold_reason(), v1::HOLD_REASON_AWAITING_CA);
  // The adapter comes back on the same address.
  ASSERT_TRUE((*system)->sandbox().Restart(/*kill_hard=*/false).ok());
  auto active = (*system)->WaitFor(
      created->order_id(), [](const v1::Order& o) { return CertificateIs(o, 0, ACTIVE); },
      "ACTIVE after the adapter returned");
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->certificates(0).last_error(), "");
  EXPECT_EQ(*(*system)->SandboxOrderCount(), 1);
}

}  // namespace
}  // namespace sslpanel::integration
