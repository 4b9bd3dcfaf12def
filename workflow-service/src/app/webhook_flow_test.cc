// Webhooks end to end inside the process: committed events (a fake
// EventFeed) through the dispatcher into the real store on MariaDB, out
// through the workers to a recording sender. Time is a FakeClock moved by
// the test, so retries, backoff and the dead state need no waiting.
#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/mysql/migrator.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/testing/fake_event_feed.h"
#include "workflow-service/src/app/webhook_dispatcher.h"
#include "workflow-service/src/app/webhook_signing.h"
#include "workflow-service/src/app/webhook_worker.h"
#include "workflow-service/src/app/webhooks.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::app {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::MakeEvent;

// Accepts any URL; answers 500 to the first `fail_first` posts of each
// webhook-id, then 204. Verifies every signature as a receiver would.
class RecordingReceiver final : public WebhookTargetChecker, public WebhookSender {
 public:
  absl::Status Check(const std::string&, const std::string&) override { return absl::OkStatus(); }
  WebhookAnswer Post(const WebhookPost& post) override {
    std::map<std::string, std::string> h(post.headers.begin(), post.headers.end());
    const std::string id = h["webhook-id"];
    bool verified = false;
    for (const std::string& secret : secrets) {
      auto expected = SignWebhook(secret, id, std::stoll(h["webhook-timestamp"]), post.body);
      verified |= expected.ok() && h["webhook-signature"].find(*expected) != std::string::npos;
    }
    EXPECT_TRUE(verified) << "bad signature on " << id;
    const int seen = ++attempts[id];
    if (always_fail || seen <= fail_first) {
      return {500, "HTTP 500"};
    }
    delivered.push_back(post.body);
    delivered_ids.push_back(id);
    return {204, ""};
  }

  std::vector<std::string> secrets;
  int fail_first = 0;
  bool always_fail = false;
  std::map<std::string, int> attempts;
  std::vector<std::string> delivered;
  std::vector<std::string> delivered_ids;
};

class WebhookFlowTest : public ::testing::Test {
 protected:
  WebhookFlowTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    auto db = sslpanel::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    store_ = std::make_unique<storage::MysqlWebhookStore>(*pool_, keyring_);
    metrics_ = std::make_unique<WebhookMetrics>(registry_);
    webhooks_ =
        std::make_unique<WebhookApp>(*store_, feed_, receiver_, crypto::OpenSslRandomBytes, clock_);
    auto encode = [](const CommittedEvent& e, const std::optional<std::string>&) {
      return absl::StatusOr<std::string>(
          absl::StrCat("{\"event_id\":\"", e.record.id, "\",\"order_id\":\"", e.order_id, "\"}"));
    };
    dispatcher_ = std::make_unique<WebhookDispatcher>(*store_, feed_, encode, clock_, *metrics_,
                                                      DispatcherOptions{"replica-a"});
    policy_ = {absl::Seconds(5), absl::Minutes(1), absl::Hours(1)};
    worker_ = std::make_unique<WebhookWorker>(
        *store_, receiver_, clock_, [] { return 1.0; }, *metrics_,
        WorkerOptions{"replica-a", policy_, absl::Seconds(5)});
  }

  std::string Subscribe(const std::string& request_id, std::vector<std::string> types = {}) {
    NewSubscription s;
    s.url = "https://receiver.test/hook";
    s.event_types = std::move(types);
    Caller caller;
    caller.request_id = request_id;
    caller.method = "CreateWebhookSubscription";
    caller.fingerprint = request_id;
    auto created = webhooks_->Create(s, caller);
    EXPECT_TRUE(created.ok()) << created.status();
    receiver_.secrets.push_back(created->secret);
    return absl::StrCat(created->subscription.id);
  }

  // Dispatches what is committed, then runs rounds of claim-and-attempt,
  // moving the clock by a minute between rounds (at most `rounds`).
  void Run(int rounds) {
    for (int i = 0; i < 20; ++i) {
      auto moved = dispatcher_->Step();
      ASSERT_TRUE(moved.ok()) << moved.status();
      if (*moved == 0) {
        break;
      }
    }
    for (int round = 0; round < rounds; ++round) {
      auto claimed = worker_->Claim(50);
      ASSERT_TRUE(claimed.ok()) << claimed.status();
      for (const ClaimedDelivery& d : *claimed) {
        worker_->Attempt(d);
      }
      clock_.Advance(absl::Minutes(1));
    }
  }

  // The event ids delivered for `order`, in the order they arrived.
  std::vector<std::string> DeliveredEvents(int64_t order) {
    std::vector<std::string> out;
    for (const std::string& body : receiver_.delivered) {
      if (body.find(absl::StrCat("\"order_id\":\"", order, "\"")) != std::string::npos) {
        out.push_back(body.substr(13, body.find('"', 13) - 13));
      }
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<sslpanel::testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  crypto::Keyring keyring_;
  std::unique_ptr<storage::MysqlWebhookStore> store_;
  prometheus::Registry registry_;
  std::unique_ptr<WebhookMetrics> metrics_;
  testing::FakeEventFeed feed_;
  RecordingReceiver receiver_;
  std::unique_ptr<WebhookApp> webhooks_;
  std::unique_ptr<WebhookDispatcher> dispatcher_;
  domain::RetryPolicy policy_;
  std::unique_ptr<WebhookWorker> worker_;
};

TEST_F(WebhookFlowTest, OnlyEventsCommittedAfterTheSubscriptionAndOfItsTypes) {
  feed_.Commit(MakeEvent(1, 7, 1, "CREATED"));
  feed_.Commit(MakeEvent(2, 7, 2, "SUBMITTED"));
  Subscribe("all");
  Subscribe("issued", {"CA_ISSUED"});
  feed_.Commit(MakeEvent(3, 7, 3, "CA_ACCEPTED"));
  feed_.Commit(MakeEvent(4, 7, 4, "CA_ISSUED"));
  Run(2);
  EXPECT_THAT(DeliveredEvents(7), ElementsAre("3", "4", "4"));
  DeliveryQuery all;
  EXPECT_EQ(webhooks_->ListDeliveries(all)->size(), 3u);
  EXPECT_EQ(
      metrics::Value(registry_, "sslpanel_webhook_attempts_total", {{"outcome", "delivered"}}), 3);
  // No snapshots are stored here (as if purged): each wanted event's body
  // lacks data.order and is counted once; unwanted events 1 and 2 are not.
  EXPECT_EQ(metrics::Value(registry_, "sslpanel_webhook_order_missing_total", {}), 2);
}

TEST_F(WebhookFlowTest, AReceiverThatFailsFirstGetsEveryEventInOrderWithTheSameId) {
  Subscribe("s");
  receiver_.fail_first = 3;
  int64_t id = 0;
  for (int64_t order : {7, 8, 9}) {
    for (int version = 1; version <= 4; ++version) {
      feed_.Commit(MakeEvent(++id, order, version, "UPDATED"));
    }
  }
  Run(40);
  EXPECT_THAT(DeliveredEvents(7), ElementsAre("1", "2", "3", "4"));
  EXPECT_THAT(DeliveredEvents(8), ElementsAre("5", "6", "7", "8"));
  EXPECT_THAT(DeliveredEvents(9), ElementsAre("9", "10", "11", "12"));
  for (const auto& [webhook_id, attempts] : receiver_.attempts) {
    EXPECT_EQ(attempts, 4) << "webhook-id " << webhook_id << " is the same on every retry";
  }
  EXPECT_EQ(metrics::Value(registry_, "sslpanel_webhook_failures_total", {{"kind", "http"}}), 36);
}

TEST_F(WebhookFlowTest, ADeadDeliveryHoldsItsOrderBackUntilRedelivered) {
  const std::string sub = Subscribe("s");
  receiver_.always_fail = true;
  feed_.Commit(MakeEvent(1, 7, 1, "CREATED"));
  feed_.Commit(MakeEvent(2, 7, 2, "SUBMITTED"));
  feed_.Commit(MakeEvent(3, 8, 1, "CREATED"));
  Run(70);  // past the one-hour deadline
  DeliveryQuery query;
  query.order_id = 7;
  auto deliveries = webhooks_->ListDeliveries(query);
  ASSERT_EQ(deliveries->size(), 2u);
  const WebhookDelivery& later = (*deliveries)[0];  // newest first
  const WebhookDelivery& dead = (*deliveries)[1];
  EXPECT_EQ(dead.status, domain::DeliveryStatus::kDead);
  EXPECT_EQ(later.status, domain::DeliveryStatus::kPending);
  EXPECT_EQ(later.attempts, 0) << "never sent while its predecessor is dead";
  EXPECT_EQ(later.blocked_by_delivery_id, dead.id);
  EXPECT_EQ(webhooks_->Get(std::stoll(sub))->dead_deliveries, 2) << "order 8's too";

  receiver_.always_fail = false;
  Caller caller;
  caller.request_id = "redeliver";
  caller.method = "RedeliverWebhook";
  auto again = webhooks_->Redeliver(dead.id, caller);
  ASSERT_TRUE(again.ok()) << again.status();
  Run(2);
  EXPECT_THAT(DeliveredEvents(7), ElementsAre("1", "2"));
  EXPECT_THAT(DeliveredEvents(8), ElementsAre()) << "order 8's dead delivery was not redelivered";
  EXPECT_EQ(receiver_.delivered_ids.front(), absl::StrCat(dead.id)) << "the same webhook-id";
}

TEST_F(WebhookFlowTest, AnEventHeldBackByTheFeedIsDispatchedOnceReleased) {
  Subscribe("s");
  feed_.Commit(MakeEvent(1, 7, 1, "CREATED"));
  feed_.Add(MakeEvent(3, 8, 1, "CREATED"));  // committed, above the watermark
  Run(1);
  EXPECT_THAT(DeliveredEvents(8), ElementsAre());
  feed_.Commit(MakeEvent(2, 9, 1, "CREATED"));  // the lower id commits later
  feed_.SetWatermark(3);
  Run(1);
  EXPECT_THAT(DeliveredEvents(8), ElementsAre("3"));
  EXPECT_THAT(DeliveredEvents(9), ElementsAre("2"));
}

TEST_F(WebhookFlowTest, OnlyOneReplicaDispatchesAndNoneDuplicates) {
  Subscribe("s");
  WebhookDispatcher other(
      *store_, feed_,
      [](const CommittedEvent&, const std::optional<std::string>&) {
        return absl::StatusOr<std::string>("{}");
      },
      clock_, *metrics_, DispatcherOptions{"replica-b"});
  feed_.Commit(MakeEvent(1, 7, 1, "CREATED"));
  ASSERT_EQ(*dispatcher_->Step(), 1);
  feed_.Commit(MakeEvent(2, 7, 2, "UPDATED"));
  EXPECT_EQ(*other.Step(), 0) << "replica-a holds the lease";
  clock_.Advance(absl::Minutes(1));  // replica-a stops renewing
  EXPECT_EQ(*other.Step(), 1);
  EXPECT_EQ(*other.Step(), 0);
  DeliveryQuery all;
  EXPECT_EQ(webhooks_->ListDeliveries(all)->size(), 2u);
}

// Dispatcher::Run on its own thread (real time, bounded waits): the clock
// is frozen at the real now, so leases and due times hold for the test.
class WebhookRunTest : public WebhookFlowTest {
 protected:
  void Start(DispatcherOptions options) {
    clock_.Set(absl::Now());
    options.owner = "replica-a";
    running_ = std::make_unique<WebhookDispatcher>(
        *store_, feed_,
        [](const CommittedEvent& e, const std::optional<std::string>&) {
          return absl::StatusOr<std::string>(absl::StrCat("{\"event_id\":\"", e.record.id,
                                                          "\",\"order_id\":\"", e.order_id, "\"}"));
        },
        clock_, *metrics_, options);
    thread_ = std::thread([this] { running_->Run(stop_); });
  }
  void Stop() {
    if (!thread_.joinable()) {
      return;
    }
    stop_ = true;
    // Wakes Run from its wait on the feed (it notices the stop within
    // options.wait otherwise); order 99 is no test's.
    feed_.Commit(MakeEvent(1000, 99, 1, "WAKE"));
    thread_.join();
  }
  void TearDown() override { Stop(); }
  // Whether the cursor reaches `position` before `limit` (real time).
  bool DispatchedThrough(int64_t position, absl::Duration limit) {
    const absl::Time until = absl::Now() + limit;
    while (absl::Now() < until) {
      auto at = store_->DispatchPosition();
      if (at.ok() && *at >= position) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

  std::unique_ptr<WebhookDispatcher> running_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(WebhookRunTest, AnEventCommittedDuringTheMinIntervalGoesOutAfterIt) {
  Subscribe("s");
  DispatcherOptions options;
  options.wait = absl::Seconds(30);  // a wake-up, not the deadline, brings it
  options.min_interval = absl::Milliseconds(300);
  Start(options);
  feed_.Commit(MakeEvent(1, 7, 1, "CREATED"));
  ASSERT_TRUE(DispatchedThrough(1, absl::Seconds(20)));
  feed_.Commit(MakeEvent(2, 7, 2, "UPDATED"));  // most likely during the pause
  ASSERT_TRUE(DispatchedThrough(2, absl::Seconds(20)));
  Stop();
  Run(4);  // one delivery of an order at a time
  EXPECT_THAT(DeliveredEvents(7), ElementsAre("1", "2"));
}

TEST_F(WebhookRunTest, BatchesThatLeaveEventsWaitingDoNotPause) {
  Subscribe("s");
  DispatcherOptions options;
  options.batch = 1;
  options.wait = absl::Seconds(30);
  options.min_interval = absl::Seconds(5);
  for (int id = 1; id <= 3; ++id) {
    feed_.Commit(MakeEvent(id, 7, id, "UPDATED"));
  }
  Start(options);
  // Pausing after each batch would take two min_intervals (10 s).
  EXPECT_TRUE(DispatchedThrough(3, absl::Seconds(8)));
  Stop();
  Run(4);  // one delivery of an order at a time
  EXPECT_THAT(DeliveredEvents(7), ElementsAre("1", "2", "3"));
}

}  // namespace
}  // namespace sslpanel::workflow::app
