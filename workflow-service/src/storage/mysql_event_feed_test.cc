// The MySQL event feed against the real MariaDB scripts/test starts: the
// watermark never releases an id while a lower one may still commit
// (transactions forced to commit out of id order), proves a rolled-back id
// absent, skips only after the gap timeout (counted), starts only once the
// writers open at start have ended, and sees another replica's commits.
#include "workflow-service/src/storage/mysql_event_feed.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5}]})";

// A transaction on a connection of its own, driven statement by statement,
// the way Save writes: the orders row first, then an event.
class RawTransaction {
 public:
  explicit RawTransaction(mysql::ConnectionPool& pool) : conn_(*pool.Acquire()) {
    stmt_.reset(conn_->createStatement());
    stmt_->execute("START TRANSACTION");
  }
  ~RawTransaction() {
    if (open_) stmt_->execute("ROLLBACK");
  }
  // Bumps the order's version and appends an event of that version; returns
  // the event's id.
  int64_t AppendEvent(int64_t order_id, const std::string& type) {
    stmt_->execute(absl::StrCat("UPDATE orders SET version = version + 1 WHERE id = ", order_id));
    stmt_->execute(absl::StrCat(
        "INSERT INTO order_events (order_id, order_version, certificate_id, type, from_status,"
        " to_status, from_pending, to_pending, occurred_at, recorded_at, actor, caller, reason)"
        " SELECT o.id, o.version, c.id, '",
        type,
        "', 'OPEN', 'OPEN', 'NONE', 'NONE', NOW(6), NOW(6), 'test', '', ''"
        " FROM orders o JOIN certificates c ON c.order_id = o.id WHERE o.id = ",
        order_id, " LIMIT 1"));
    std::unique_ptr<sql::ResultSet> rows(stmt_->executeQuery("SELECT LAST_INSERT_ID()"));
    rows->next();
    return rows->getInt64(1);
  }
  void Commit() {
    stmt_->execute("COMMIT");
    open_ = false;
  }
  void Rollback() {
    stmt_->execute("ROLLBACK");
    open_ = false;
  }

 private:
  mysql::PooledConnection conn_;
  std::unique_ptr<sql::Statement> stmt_;
  bool open_ = true;
};

class EventFeedTest : public ::testing::Test {
 protected:
  EventFeedTest() : clock_(absl::Now()) {}

  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    repo_ = std::make_unique<MysqlOrderRepository>(*pool_, "00000000000000a1");
    catalog_ = *app::ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<app::WorkflowApp>(*repo_, catalog_, parser_, clock_);
  }

  std::unique_ptr<MysqlEventFeed> NewFeed(EventFeedOptions options = {}) {
    auto feed = std::make_unique<MysqlEventFeed>(*pool_, options, &registry_);
    feed->Start();
    return feed;
  }

  // A feed woken by this repository's commits that polls only every 30 s and
  // loses interest 100 ms after its last reader: after
  // absl::SleepFor(200 ms) nobody reads it, so only a reader wakes it.
  std::unique_ptr<MysqlEventFeed> QuietFeed() {
    EventFeedOptions quiet;
    quiet.poll_interval = absl::Seconds(30);
    quiet.idle_poll_interval = absl::Seconds(30);
    quiet.interest_period = absl::Milliseconds(100);
    auto feed = NewFeed(quiet);
    repo_->set_on_events_committed([raw = feed.get()] { raw->Notify(); });
    return feed;
  }

  int64_t CreateOrder(const std::string& external_id) {
    app::NewOrderInput input;
    input.external_order_id = external_id;
    input.product_id = "dv";
    input.period_months = 12;
    input.common_name = external_id + ".example.com";
    input.csr = testing::MakeCsr(input.common_name);
    input.dcv_method = domain::DcvMethod::kDns;
    auto record = app_->CreateOrder(
        input, app::Caller{"test", "rq-" + external_id, "Test", "fp-" + external_id});
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() ? record->order.id : 0;
  }

  std::vector<int64_t> DatabaseIds(int64_t after = 0) {
    std::vector<int64_t> ids;
    EXPECT_TRUE(pool_
                    ->Run("ids",
                          [&](sql::Connection& conn) {
                            std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                            std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(absl::StrCat(
                                "SELECT id FROM order_events WHERE id > ", after, " ORDER BY id")));
                            while (rows->next()) ids.push_back(rows->getInt64(1));
                            return absl::OkStatus();
                          })
                    .ok());
    return ids;
  }

  static std::vector<int64_t> Ids(const app::EventBatch& batch) {
    std::vector<int64_t> ids;
    for (const app::CommittedEvent& e : batch.events) ids.push_back(e.record.id);
    return ids;
  }

  std::vector<int64_t> ReadAll(app::EventFeed& feed, int64_t after,
                               const app::EventFilter& filter = {}) {
    std::vector<int64_t> ids;
    while (true) {
      auto batch = feed.ReadAfter(after, filter, 7);
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok()) break;
      for (int64_t id : Ids(*batch)) ids.push_back(id);
      if (batch->through == after) break;
      after = batch->through;
    }
    return ids;
  }

  double Skipped() {
    return metrics::Value(registry_, "sslpanel_event_gaps_skipped_total", {}).value_or(-1);
  }

  FakeClock clock_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<MysqlOrderRepository> repo_;
  app::ProductCatalog catalog_;
  std::unique_ptr<app::WorkflowApp> app_;
  prometheus::Registry registry_;
};

TEST_F(EventFeedTest, ReadsEveryCommittedEventInIdOrderWithItsOrder) {
  const int64_t first = CreateOrder("feed-1");
  CreateOrder("feed-2");
  auto feed = NewFeed();
  const std::vector<int64_t> all = DatabaseIds();
  ASSERT_EQ(all.size(), 4u);  // CREATED and SUBMITTED each
  EXPECT_EQ(*feed->Watermark(), all.back());
  EXPECT_EQ(ReadAll(*feed, 0), all);

  auto batch = feed->ReadAfter(0, {}, 100);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->through, all.back());
  const app::CommittedEvent& created = batch->events[0];
  EXPECT_EQ(created.order_id, first);
  EXPECT_EQ(created.external_order_id, "feed-1");
  EXPECT_EQ(created.order_version, 1);
  EXPECT_EQ(created.record.event.type, "CREATED");

  // A full batch covers up to its last event only.
  batch = feed->ReadAfter(0, {}, 3);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->through, all[2]);
  // Nothing above the watermark.
  batch = feed->ReadAfter(all.back(), {}, 100);
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(batch->events, IsEmpty());
  EXPECT_EQ(batch->through, all.back());
}

TEST_F(EventFeedTest, FiltersByOrderExternalIdAndTypeAndMovesPastTheRest) {
  const int64_t a = CreateOrder("filter-a");
  CreateOrder("filter-b");
  EventFeedOptions options;
  options.scan_window = 2;  // a filtered reader moves on in small steps
  auto feed = NewFeed(options);
  const std::vector<int64_t> all = DatabaseIds();

  app::EventFilter by_order;
  by_order.order_id = a;
  EXPECT_EQ(ReadAll(*feed, 0, by_order), std::vector<int64_t>(all.begin(), all.begin() + 2));
  app::EventFilter by_external;
  by_external.external_order_id = "filter-b";
  EXPECT_EQ(ReadAll(*feed, 0, by_external), std::vector<int64_t>(all.begin() + 2, all.end()));
  app::EventFilter by_type;
  by_type.types = {"SUBMITTED"};
  EXPECT_THAT(ReadAll(*feed, 0, by_type), ElementsAre(all[1], all[3]));
  // No match: the reader still covers everything up to the watermark.
  app::EventFilter none;
  none.types = {"CA_ISSUED"};
  auto batch = feed->ReadAfter(0, none, 10);
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(batch->events, IsEmpty());
  EXPECT_EQ(batch->through, 2);  // one scan window
}

TEST_F(EventFeedTest, ALowerIdCommittingAfterAHigherOneHoldsTheWatermarkThenBothArriveInOrder) {
  const int64_t a = CreateOrder("ooo-a");
  CreateOrder("ooo-b");
  auto feed = NewFeed();
  const int64_t before = *feed->Watermark();

  RawTransaction slow(*pool_);
  const int64_t lower = slow.AppendEvent(a, "UPDATED");  // taken, not committed
  const int64_t b2 = CreateOrder("ooo-c");               // commits higher ids
  ASSERT_GT(b2, 0);
  const std::vector<int64_t> committed = DatabaseIds(before);
  ASSERT_FALSE(committed.empty());
  ASSERT_GT(committed.front(), lower);

  // For well over the poll interval the watermark stays below the lower id:
  // the higher ids are committed, but not released.
  const absl::Time until = absl::Now() + absl::Milliseconds(1500);
  while (absl::Now() < until) {
    auto w = feed->WaitBeyond(lower - 1, absl::Now() + absl::Milliseconds(300));
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(*w, lower - 1);
    auto batch = feed->ReadAfter(before, {}, 100);
    ASSERT_TRUE(batch.ok());
    ASSERT_THAT(batch->events, IsEmpty());
  }

  slow.Commit();
  auto w = feed->WaitBeyond(lower, absl::Now() + absl::Seconds(2));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, committed.back());
  std::vector<int64_t> expected = {lower};
  expected.insert(expected.end(), committed.begin(), committed.end());
  EXPECT_EQ(ReadAll(*feed, before), expected);
  EXPECT_EQ(Skipped(), 0);
}

TEST_F(EventFeedTest, ARolledBackIdIsProvenAbsentAndTheFeedMovesOn) {
  const int64_t a = CreateOrder("rb-a");
  auto feed = NewFeed();
  const int64_t before = *feed->Watermark();

  RawTransaction doomed(*pool_);
  const int64_t lower = doomed.AppendEvent(a, "UPDATED");
  CreateOrder("rb-b");
  const std::vector<int64_t> committed = DatabaseIds(before);
  auto w = feed->WaitBeyond(lower - 1, absl::Now() + absl::Milliseconds(700));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, lower - 1);

  // A transaction open meanwhile in another database on the same server (a
  // CA adapter's) does not hold the proof.
  auto other_db = testing::TestDatabase::Create();
  ASSERT_TRUE(other_db.ok()) << other_db.status();
  auto other_pool = mysql::ConnectionPool::Create((*other_db)->config());
  ASSERT_TRUE(other_pool.ok());
  auto other = (*other_pool)->Acquire();
  ASSERT_TRUE(other.ok());
  std::unique_ptr<sql::Statement> elsewhere((*other)->createStatement());
  elsewhere->execute("CREATE TABLE t (id INT PRIMARY KEY)");
  elsewhere->execute("START TRANSACTION");
  elsewhere->execute("INSERT INTO t VALUES (1)");

  doomed.Rollback();
  const absl::Time rolled_back = absl::Now();
  w = feed->WaitBeyond(lower, absl::Now() + absl::Seconds(2));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, committed.back());
  EXPECT_LT(absl::Now() - rolled_back, absl::Seconds(2));  // typically 150-400 ms
  EXPECT_EQ(ReadAll(*feed, before), committed);
  EXPECT_EQ(Skipped(), 0);  // proven, not timed out
  elsewhere->execute("ROLLBACK");
}

TEST_F(EventFeedTest, AnIdOpenLongerThanTheGapTimeoutIsSkippedAndCounted) {
  const int64_t a = CreateOrder("to-a");
  EventFeedOptions options;
  options.watermark.gap_timeout = absl::Seconds(1);
  auto feed = NewFeed(options);
  const int64_t before = *feed->Watermark();

  RawTransaction stuck(*pool_);
  const int64_t lower = stuck.AppendEvent(a, "UPDATED");
  CreateOrder("to-b");
  const std::vector<int64_t> committed = DatabaseIds(before);
  auto w = feed->WaitBeyond(lower, absl::Now() + absl::Seconds(4));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, committed.back());
  EXPECT_EQ(Skipped(), 1);
  EXPECT_EQ(ReadAll(*feed, before), committed);
  // Committed after the skip: a reader already past it never gets it (the
  // ERROR log and the counter say so); one still below it reads it.
  stuck.Commit();
  auto batch = feed->ReadAfter(committed.back(), {}, 100);
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(batch->events, IsEmpty());
  EXPECT_EQ(ReadAll(*feed, before).front(), lower);
}

TEST_F(EventFeedTest, TheStartWaitsForTheWritersOpenAtStart) {
  const int64_t a = CreateOrder("start-a");
  RawTransaction open(*pool_);
  const int64_t lower = open.AppendEvent(a, "UPDATED");
  CreateOrder("start-b");
  const int64_t top = DatabaseIds().back();

  MysqlEventFeed feed(*pool_, {}, nullptr);
  std::thread start([&] { feed.Start(); });
  absl::SleepFor(absl::Milliseconds(700));
  EXPECT_EQ(feed.Watermark().status().code(), absl::StatusCode::kUnavailable);
  open.Commit();
  start.join();
  auto w = feed.Watermark();
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, top);
  EXPECT_THAT(ReadAll(feed, lower - 1), ::testing::Contains(lower));
}

TEST_F(EventFeedTest, AnotherReplicasCommitsArriveByPollingOwnCommitsAtOnce) {
  EventFeedOptions slow;
  slow.poll_interval = absl::Seconds(30);
  slow.idle_poll_interval = absl::Seconds(30);
  auto own = NewFeed(slow);  // woken only by Notify
  repo_->set_on_events_committed([&] { own->Notify(); });
  auto other = NewFeed();  // another replica: polls
  const int64_t own_before = *own->Watermark();
  const int64_t other_before = *other->Watermark();

  CreateOrder("replica-a");
  const int64_t top = DatabaseIds().back();
  const absl::Time written = absl::Now();
  auto w = own->WaitBeyond(own_before, absl::Now() + absl::Seconds(2));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, top);
  w = other->WaitBeyond(other_before, absl::Now() + absl::Seconds(2));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, top);
  EXPECT_LT(absl::Now() - written, absl::Seconds(1));
}

TEST_F(EventFeedTest, WhileNobodyReadsCommitsCauseNoReadsAndTheFirstReaderGetsThemAtOnce) {
  auto feed = QuietFeed();
  absl::SleepFor(absl::Milliseconds(200));  // nobody read it for the interest period
  const int64_t steps = feed->steps();
  for (int i = 0; i < 5; ++i) CreateOrder(absl::StrCat("quiet-", i));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(feed->steps(), steps);  // five commits, no read

  // A reader wakes it at once (not after the 30 s poll).
  const int64_t top = DatabaseIds().back();
  auto w = feed->WaitBeyond(top - 1, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, top);
  EXPECT_EQ(ReadAll(*feed, 0), DatabaseIds());
}

TEST_F(EventFeedTest, WatermarkAfterAQuietSpellIncludesThisProcesssCommits) {
  auto feed = QuietFeed();
  absl::SleepFor(absl::Milliseconds(200));
  CreateOrder("quiet-now");
  // A stream started "now" starts after the commits this process made.
  EXPECT_EQ(*feed->WatermarkAfterOwnCommits(), DatabaseIds().back());
}

TEST_F(EventFeedTest, WatermarkDoesNotWaitButTurnsInterestOnAndWakesTheFollower) {
  auto feed = QuietFeed();
  absl::SleepFor(absl::Milliseconds(200));  // nobody read it for the interest period
  const int64_t steps = feed->steps();
  CreateOrder("quiet-flagged");  // flagged, no read: nobody is interested
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(feed->steps(), steps);

  // Watermark() answers at once (safe on a gRPC callback thread or inside a
  // transaction) and wakes the follower for the flagged commit: it is read
  // well before the 30 s poll, without anybody waiting for it.
  ASSERT_TRUE(feed->Watermark().ok());
  const int64_t top = DatabaseIds().back();
  for (int i = 0; i < 200 && feed->steps() == steps; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GT(feed->steps(), steps);
  for (int i = 0; i < 200 && *feed->Watermark() < top; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(*feed->Watermark(), top);
}

TEST_F(EventFeedTest, UnderLoadCommitsAreReadTogetherAtMostOncePerMinStepInterval) {
  EventFeedOptions coalescing;
  coalescing.poll_interval = absl::Seconds(30);
  coalescing.idle_poll_interval = absl::Seconds(30);
  coalescing.min_step_interval = absl::Seconds(1);
  auto feed = NewFeed(coalescing);
  repo_->set_on_events_committed([&] { feed->Notify(); });
  ASSERT_TRUE(feed->Watermark().ok());  // a reader: commits wake the follower
  const int64_t steps = feed->steps();
  const absl::Time begin = absl::Now();
  for (int i = 0; i < 10; ++i) CreateOrder(absl::StrCat("burst-", i));
  const absl::Duration took = absl::Now() - begin;
  // Ten commits: one read at once, then at most one per second.
  EXPECT_LE(feed->steps() - steps, 2 + absl::ToInt64Seconds(took));
  // None is lost: the reads that follow have them all.
  const int64_t top = DatabaseIds().back();
  auto w = feed->WaitBeyond(top - 1, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, top);
  EXPECT_EQ(ReadAll(*feed, 0), DatabaseIds());
}

TEST_F(EventFeedTest, StopEndsWaiters) {
  auto feed = NewFeed();
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(200));
    feed->Stop();
  });
  auto w = feed->WaitBeyond(1000000, absl::Now() + absl::Seconds(10));
  stopper.join();
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(EventFeedTest, OpenWritersSeesAnOpenWriterAndItsOwnListingIsFresh) {
  MysqlCommitSource source(*pool_);
  const int64_t a = CreateOrder("writers-a");
  absl::SleepFor(absl::Milliseconds(150));
  auto before = source.OpenWriters();
  ASSERT_TRUE(before.ok()) << before.status();
  RawTransaction open(*pool_);
  open.AppendEvent(a, "UPDATED");
  // A listing read within 100 ms of another is InnoDB's cached one: it
  // cannot show our new transaction, so it does not count.
  std::optional<std::set<uint64_t>> writers;
  for (int i = 0; i < 20 && !(writers.has_value() && !writers->empty()); ++i) {
    absl::SleepFor(absl::Milliseconds(150));
    auto listing = source.OpenWriters();
    ASSERT_TRUE(listing.ok()) << listing.status();
    writers = *listing;
  }
  ASSERT_TRUE(writers.has_value());
  EXPECT_FALSE(writers->empty());     // ours (the listing is server-wide)
  auto quick = source.OpenWriters();  // right after: the cached listing
  ASSERT_TRUE(quick.ok());
  EXPECT_FALSE(quick->has_value());
}

}  // namespace
}  // namespace sslpanel::workflow::storage
