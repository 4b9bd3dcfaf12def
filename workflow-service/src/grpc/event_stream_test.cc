// WatchOrderEvents through real gRPC servers on 127.0.0.1:0: two workflow
// "replicas" (each its own pool, repository, event feed, streams and server)
// on one real database. Events written through both arrive at a watcher on
// either, per order in version order, none missing, none twice; a watcher
// that drops and resumes with its token ends with exactly the database's
// events; a transaction committing out of id order holds the stream; bad
// tokens and filters are INVALID_ARGUMENT; a draining server ends streams
// with UNAVAILABLE and the client resumes elsewhere.
#include "workflow-service/src/grpc/event_stream.h"

#include <grpcpp/grpcpp.h>

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <atomic>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/grpc/drain.h"
#include "common/grpc/server.h"
#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/grpc/resume_token.h"
#include "workflow-service/src/grpc/webhook_convert.h"
#include "workflow-service/src/grpc/workflow_service.h"
#include "workflow-service/src/storage/mysql_event_feed.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/order_snapshots.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::HasSubstr;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5}]})";
constexpr char kInstallation[] = "00000000000000a1";

const std::string& Csr() {
  static const std::string* const csr = new std::string(testing::MakeCsr("www.example.com"));
  return *csr;
}

// One workflow process, as main() wires it.
struct Replica {
  Replica(const mysql::MysqlConfig& database, const app::ProductCatalog& catalog, Clock& clock,
          EventStreamOptions stream_options = {}) {
    pool = *mysql::ConnectionPool::Create(database);
    repo = std::make_unique<storage::MysqlOrderRepository>(*pool, kInstallation);
    feed = std::make_unique<storage::MysqlEventFeed>(*pool, storage::EventFeedOptions{}, nullptr);
    feed->Start();
    // The test user has PROCESS: holes are proven, not waited out (the
    // out-of-order test would pass on the gap timeout's account otherwise).
    EXPECT_TRUE(feed->can_prove_gaps()) << "the feed cannot list open transactions";
    repo->set_on_events_committed([f = feed.get()] { f->Notify(); });
    app = std::make_unique<app::WorkflowApp>(*repo, catalog, parser, clock);
    repo->set_snapshot_encoder([a = app.get()](const app::OrderRecord& record) {
      return EncodeOrderSnapshot(*a, record);
    });
    service = std::make_unique<WorkflowServiceImpl>(*app);
    streams = std::make_unique<EventStreams>(*feed, kInstallation, stream_options);
    streams->set_order_snapshots([p = pool.get()](int64_t order_id, int64_t version) {
      return storage::GetSnapshot(*p, order_id, version);
    });
    service->set_event_streams(streams.get());
    auto drain = std::make_shared<grpc_util::Drain>();
    drain->OnStart([s = streams.get()] { s->Shutdown(); });
    host = *grpc_util::ServerHost::Start({"127.0.0.1:0", absl::Seconds(5), ""},
                                         {{service.get(), "sslpanel.workflow.v1.WorkflowService"}},
                                         nullptr, drain);
    stub = v1::WorkflowService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(host->port()), grpc::InsecureChannelCredentials()));
  }
  ~Replica() {
    host.reset();  // every call done before the streams go
    streams.reset();
    feed->Stop();
  }

  std::string Create(const std::string& id) {
    v1::CreateOrderRequest request;
    request.set_request_id("req-" + id);
    request.set_external_order_id("ext-" + id);
    request.set_product_id("dv");
    request.set_period_months(12);
    request.set_common_name("www.example.com");
    request.set_csr(Csr());
    request.set_dcv_method(v1::DCV_METHOD_DNS);
    grpc::ClientContext context;
    v1::CreateOrderResponse response;
    grpc::Status status = stub->CreateOrder(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.order().order_id();
  }

  // A CA outcome recorded by this replica's processing.
  void Apply(const std::string& order_id, domain::Command command, absl::Time now) {
    auto record = app->Mutate(std::stoll(order_id), app::Caller{"system:test"},
                              [&](const app::OrderRecord& r) -> absl::StatusOr<app::SaveRequest> {
                                auto decision = domain::Decide(
                                    r.order, 0, command, domain::Context{now, "system:test", {}});
                                if (!decision.ok()) return decision.status();
                                app::SaveRequest save;
                                save.decision = *decision;
                                return save;
                              });
    EXPECT_TRUE(record.ok()) << record.status();
  }

  csr::OpenSslCsrParser parser;
  std::unique_ptr<mysql::ConnectionPool> pool;
  std::unique_ptr<storage::MysqlOrderRepository> repo;
  std::unique_ptr<storage::MysqlEventFeed> feed;
  std::unique_ptr<app::WorkflowApp> app;
  std::unique_ptr<WorkflowServiceImpl> service;
  std::unique_ptr<EventStreams> streams;
  std::unique_ptr<grpc_util::ServerHost> host;
  std::unique_ptr<v1::WorkflowService::Stub> stub;
};

// A stream being read on a thread of its own.
class Watch {
 public:
  Watch(v1::WorkflowService::Stub& stub, v1::WatchOrderEventsRequest request) {
    reader_ = stub.WatchOrderEvents(&context_, request);
    thread_ = std::thread([this] {
      v1::WatchOrderEventsResponse response;
      while (reader_->Read(&response)) {
        std::lock_guard<std::mutex> lock(mu_);
        responses_.push_back(response);
        changed_.notify_all();
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard<std::mutex> lock(mu_);
      status_ = status;
      done_ = true;
      changed_.notify_all();
    });
  }
  ~Watch() {
    context_.TryCancel();
    thread_.join();
  }

  // Waits until `n` responses arrived or the stream ended or `timeout`.
  std::vector<v1::WatchOrderEventsResponse> WaitFor(size_t n,
                                                    absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [&] { return done_ || responses_.size() >= n; });
    return responses_;
  }
  // Events only (no checkpoints).
  std::vector<v1::WatchOrderEventsResponse> WaitForEvents(
      size_t n, absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    auto events = [&] {
      std::vector<v1::WatchOrderEventsResponse> out;
      for (const auto& r : responses_) {
        if (r.has_event()) out.push_back(r);
      }
      return out;
    };
    changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [&] { return done_ || events().size() >= n; });
    return events();
  }
  void Cancel() { context_.TryCancel(); }
  grpc::Status WaitDone(absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return done_; })) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "still open");
    }
    return status_;
  }
  std::vector<v1::WatchOrderEventsResponse> responses() {
    std::lock_guard<std::mutex> lock(mu_);
    return responses_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchOrderEventsResponse>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<v1::WatchOrderEventsResponse> responses_;
  bool done_ = false;
  grpc::Status status_;
};

v1::WatchOrderEventsRequest From(v1::WatchStart start) {
  v1::WatchOrderEventsRequest request;
  request.set_start(start);
  return request;
}

v1::WatchOrderEventsRequest Resume(const std::string& token) {
  v1::WatchOrderEventsRequest request;
  request.set_resume_token(token);
  return request;
}

class EventStreamTest : public ::testing::Test {
 protected:
  EventStreamTest() : clock_(absl::Now()) {}

  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    catalog_ = *app::ProductCatalog::Parse(kCatalog);
  }

  std::unique_ptr<Replica> NewReplica(EventStreamOptions options = {}) {
    return std::make_unique<Replica>(db_->config(), catalog_, clock_, options);
  }

  struct Row {
    int64_t id;
    int64_t order_id;
    int64_t version;
    std::string type;
  };
  std::vector<Row> DatabaseEvents() {
    std::vector<Row> rows;
    EXPECT_TRUE(pool_
                    ->Run("events",
                          [&](sql::Connection& conn) {
                            std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                            std::unique_ptr<sql::ResultSet> r(stmt->executeQuery(
                                "SELECT id, order_id, order_version, type FROM order_events"
                                " ORDER BY id"));
                            while (r->next()) {
                              rows.push_back({r->getInt64(1), r->getInt64(2), r->getInt64(3),
                                              r->getString(4)});
                            }
                            return absl::OkStatus();
                          })
                    .ok());
    return rows;
  }
  // Waits until `replica`'s feed has every event committed so far (a NOW
  // stream starts at its watermark, which may lag the last commit a little).
  void CaughtUp(Replica& replica) {
    const std::vector<Row> rows = DatabaseEvents();
    const int64_t top = rows.empty() ? 0 : rows.back().id;
    for (int i = 0; i < 100 && replica.feed->Watermark().value_or(-1) < top; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(replica.feed->Watermark().value_or(-1), top);
  }
  std::vector<std::string> DatabaseIds() {
    std::vector<std::string> ids;
    for (const Row& r : DatabaseEvents()) ids.push_back(std::to_string(r.id));
    return ids;
  }

  // Orders created and taken to ACTIVE through both replicas, by `threads`
  // writers: 4 events per order (CREATED and SUBMITTED at version 1,
  // CA_ACCEPTED at 2, CA_ISSUED at 3).
  void WriteOrders(Replica& a, Replica& b, int orders, int threads, const std::string& prefix) {
    std::atomic<int> next{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&, t] {
        for (int i = next++; i < orders; i = next++) {
          Replica& via = (i + t) % 2 == 0 ? a : b;
          Replica& then = (i + t) % 2 == 0 ? b : a;
          const std::string id = via.Create(absl::StrCat(prefix, i));
          if (id.empty()) continue;
          then.Apply(id, domain::command::CaAccepted{1, "CA-" + id, "pending"}, absl::Now());
          via.Apply(id,
                    domain::command::CaIssued{
                        {absl::Now(), absl::Now() + absl::Hours(24 * 365), "PEM", "CHAIN", "0a"},
                        "issued"},
                    absl::Now());
        }
      });
    }
    for (auto& w : writers) w.join();
  }

  FakeClock clock_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  app::ProductCatalog catalog_;
};

std::vector<std::string> EventIds(const std::vector<v1::WatchOrderEventsResponse>& responses) {
  std::vector<std::string> ids;
  for (const auto& r : responses) {
    if (r.has_event()) ids.push_back(r.event().event_id());
  }
  return ids;
}

TEST_F(EventStreamTest, TwoHundredOrdersThroughTwoReplicasArriveInOrderCompleteAndOnce) {
  auto a = NewReplica();
  auto b = NewReplica();
  Watch on_a(*a->stub, From(v1::WATCH_START_NOW));
  Watch on_b(*b->stub, From(v1::WATCH_START_NOW));
  ASSERT_EQ(on_a.WaitFor(1).size(), 1u);  // the starting checkpoint
  ASSERT_EQ(on_b.WaitFor(1).size(), 1u);

  WriteOrders(*a, *b, 200, 6, "two-");
  const std::vector<Row> database = DatabaseEvents();
  ASSERT_EQ(database.size(), 800u);
  std::vector<std::string> expected;
  for (const Row& r : database) expected.push_back(std::to_string(r.id));

  for (Watch* watch : {&on_a, &on_b}) {
    const auto responses = watch->WaitForEvents(database.size());
    const std::vector<std::string> ids = EventIds(responses);
    ASSERT_EQ(ids, expected);  // every event, in id order, none twice
    // Per order: versions in order, from 1 without a hole.
    std::map<std::string, int64_t> last_version;
    for (const auto& r : responses) {
      if (!r.has_event()) continue;
      int64_t& last = last_version[r.event().order_id()];
      EXPECT_TRUE(r.order_version() == last || r.order_version() == last + 1)
          << "order " << r.event().order_id() << ": version " << r.order_version() << " after "
          << last;
      last = r.order_version();
      EXPECT_FALSE(r.resume_token().empty());
      EXPECT_FALSE(r.external_order_id().empty());
    }
    EXPECT_EQ(last_version.size(), 200u);
    for (const auto& [order, version] : last_version) EXPECT_EQ(version, 3) << order;
  }
}

TEST_F(EventStreamTest, AWatcherThatDropsAtRandomAndResumesEndsWithExactlyTheDatabasesEvents) {
  auto a = NewReplica();
  auto b = NewReplica();
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    WriteOrders(*a, *b, 60, 3, "resume-");
    writing = false;
  });

  std::mt19937 random(20261207);
  std::vector<std::string> received;
  std::string token;
  int reconnects = 0;
  // Drops after a random number of responses (at most 30 times), resuming
  // on either replica with the last token; then reads to the end.
  while (true) {
    Replica& on = reconnects % 2 == 0 ? *a : *b;
    const bool last_round = reconnects >= 30 || !writing;
    const int take = last_round ? 1000000 : std::uniform_int_distribution<int>(1, 25)(random);
    grpc::ClientContext context;
    // A round may wait for events that never come (the writers are done):
    // its deadline ends it, and the next round is the last.
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(last_round ? 20 : 3));
    auto reader = on.stub->WatchOrderEvents(
        &context, token.empty() ? From(v1::WATCH_START_EARLIEST) : Resume(token));
    v1::WatchOrderEventsResponse response;
    int n = 0;
    const size_t target = last_round ? DatabaseEvents().size() : 0;
    while ((last_round ? received.size() < target : n < take) && reader->Read(&response)) {
      ++n;
      if (response.has_event()) received.push_back(response.event().event_id());
      token = response.resume_token();
    }
    context.TryCancel();
    reader->Finish();
    if (last_round) break;
    ++reconnects;
  }
  writer.join();
  EXPECT_GE(reconnects, 1);
  EXPECT_EQ(received.size(), std::set<std::string>(received.begin(), received.end()).size())
      << "an event arrived twice";
  // The writers are done: one more resume reads whatever is left.
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    auto reader = b->stub->WatchOrderEvents(&context, Resume(token));
    v1::WatchOrderEventsResponse response;
    const size_t total = DatabaseEvents().size();
    while (received.size() < total && reader->Read(&response)) {
      if (response.has_event()) received.push_back(response.event().event_id());
    }
    context.TryCancel();
    reader->Finish();
  }
  EXPECT_EQ(received, DatabaseIds());
}

TEST_F(EventStreamTest, AFilteredWatcherThatDropsAtRandomAndResumesEndsWithExactlyItsEvents) {
  EventStreamOptions options;
  options.checkpoint_interval = absl::Milliseconds(100);
  auto a = NewReplica(options);
  auto b = NewReplica(options);
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    WriteOrders(*a, *b, 40, 3, "filtered-");
    writing = false;
  });
  // Two of the four event types: the stream moves past the others, so its
  // tokens lie past events it did not send (checkpoints every 100 ms).
  auto request = [](const std::string& token) {
    v1::WatchOrderEventsRequest r = token.empty() ? From(v1::WATCH_START_EARLIEST) : Resume(token);
    r.add_event_types("CA_ISSUED");
    r.add_event_types("CREATED");
    r.add_event_types("CREATED");  // duplicates and order do not matter
    return r;
  };
  auto expected = [&] {
    std::vector<std::string> ids;
    for (const Row& r : DatabaseEvents()) {
      if (r.type == "CREATED" || r.type == "CA_ISSUED") ids.push_back(std::to_string(r.id));
    }
    return ids;
  };

  std::mt19937 random(20261208);
  std::vector<std::string> received;
  std::string token;
  int reconnects = 0;
  for (int round = 0; round < 60; ++round) {
    Replica& on = round % 2 == 0 ? *a : *b;
    const bool last_round = !writing || round == 59;
    const int take = std::uniform_int_distribution<int>(1, 12)(random);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(last_round ? 20 : 3));
    auto reader = on.stub->WatchOrderEvents(&context, request(token));
    v1::WatchOrderEventsResponse response;
    int n = 0;
    const size_t target = last_round ? expected().size() : 0;
    while ((last_round ? received.size() < target : n < take) && reader->Read(&response)) {
      ++n;
      if (response.has_event()) {
        EXPECT_THAT(response.event().type(), ::testing::AnyOf("CREATED", "CA_ISSUED"));
        received.push_back(response.event().event_id());
      }
      token = response.resume_token();
    }
    context.TryCancel();
    grpc::Status status = reader->Finish();
    EXPECT_NE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    if (last_round) break;
    ++reconnects;
  }
  writer.join();
  EXPECT_GE(reconnects, 1);
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto reader = a->stub->WatchOrderEvents(&context, request(token));
    v1::WatchOrderEventsResponse response;
    const size_t total = expected().size();
    while (received.size() < total && reader->Read(&response)) {
      if (response.has_event()) received.push_back(response.event().event_id());
    }
    context.TryCancel();
    reader->Finish();
  }
  EXPECT_EQ(received, expected());  // none missing, none twice, in id order
  EXPECT_EQ(received.size(), 80u);
}

TEST_F(EventStreamTest, AnEventCommittedOutOfIdOrderHoldsTheStreamUntilTheLowerOneCommits) {
  auto a = NewReplica();
  const std::string first = a->Create("ooo-1");
  CaughtUp(*a);
  Watch watch(*a->stub, From(v1::WATCH_START_NOW));
  ASSERT_EQ(watch.WaitFor(1).size(), 1u);

  auto conn = pool_->Acquire();
  ASSERT_TRUE(conn.ok());
  std::unique_ptr<sql::Statement> raw((*conn)->createStatement());
  raw->execute("START TRANSACTION");
  raw->execute("UPDATE orders SET version = version + 1 WHERE id = " + first);
  raw->execute(
      "INSERT INTO order_events (order_id, order_version, certificate_id, type, from_status,"
      " to_status, from_pending, to_pending, occurred_at, recorded_at, actor, caller, reason)"
      " SELECT o.id, o.version, c.id, 'UPDATED', 'OPEN', 'OPEN', 'REQUEST', 'REQUEST', NOW(6),"
      " NOW(6), 'test', '', '' FROM orders o JOIN certificates c ON c.order_id = o.id"
      " WHERE o.id = " +
      first);
  std::unique_ptr<sql::ResultSet> last(raw->executeQuery("SELECT LAST_INSERT_ID()"));
  last->next();
  const std::string lower = std::to_string(last->getInt64(1));
  last.reset();

  a->Create("ooo-2");  // commits two higher ids
  absl::SleepFor(absl::Seconds(1.5));
  EXPECT_EQ(EventIds(watch.responses()).size(), 0u) << "released past an uncommitted id";

  raw->execute("COMMIT");
  const auto events = watch.WaitForEvents(3, absl::Seconds(5));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event().event_id(), lower);
  EXPECT_EQ(events[0].event().type(), "UPDATED");
  EXPECT_EQ(events[1].event().type(), "CREATED");
  EXPECT_EQ(events[2].event().type(), "SUBMITTED");
}

TEST_F(EventStreamTest, FiltersSendOnlyMatchingEventsAndCheckpointsPastTheRest) {
  EventStreamOptions options;
  options.checkpoint_interval = absl::Milliseconds(200);
  auto a = NewReplica(options);
  const std::string one = a->Create("filter-1");
  const std::string two = a->Create("filter-2");
  CaughtUp(*a);

  v1::WatchOrderEventsRequest by_type = From(v1::WATCH_START_EARLIEST);
  by_type.add_event_types("SUBMITTED");
  Watch types(*a->stub, by_type);
  const auto submitted = types.WaitForEvents(2);
  ASSERT_EQ(submitted.size(), 2u);
  EXPECT_EQ(submitted[0].event().order_id(), one);
  EXPECT_EQ(submitted[1].event().order_id(), two);

  v1::WatchOrderEventsRequest by_external = From(v1::WATCH_START_EARLIEST);
  by_external.set_external_order_id("ext-filter-2");
  Watch external(*a->stub, by_external);
  const auto of_two = external.WaitForEvents(2);
  ASSERT_EQ(of_two.size(), 2u);
  for (const auto& r : of_two) EXPECT_EQ(r.event().order_id(), two);

  // A stream for one order sees the other's events go by as checkpoints,
  // and resuming from one misses nothing of its own.
  v1::WatchOrderEventsRequest by_order = From(v1::WATCH_START_NOW);
  by_order.set_order_id(one);
  Watch order(*a->stub, by_order);
  ASSERT_EQ(order.WaitFor(1).size(), 1u);
  a->Create("filter-3");
  const auto seen = order.WaitFor(2, absl::Seconds(5));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].has_event());  // a checkpoint
  const int64_t top = std::stoll(DatabaseIds().back());
  EXPECT_EQ(*ParseResumeToken(seen[1].resume_token(), kInstallation,
                              FilterFingerprint(std::stoll(one), "", {})),
            top);
  a->Apply(one, domain::command::CaAccepted{1, "CA-1", "pending"}, absl::Now());
  // Resumed with the same filter (the token carries it).
  v1::WatchOrderEventsRequest resume_order = Resume(seen[1].resume_token());
  resume_order.set_order_id(one);
  Watch resumed(*a->stub, resume_order);
  const auto after = resumed.WaitForEvents(1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].event().type(), "CA_ACCEPTED");
}

TEST_F(EventStreamTest, BadTokensAndFiltersAreInvalidArgumentNamingTheField) {
  auto a = NewReplica();
  struct Case {
    v1::WatchOrderEventsRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({Resume("not-a-token"), "resume_token"});
  const uint64_t no_filter = FilterFingerprint(0, "", {});
  cases.push_back(
      {Resume(MakeResumeToken("00000000000000ff", 1, no_filter)), "another installation"});
  // A token of a filtered stream resumed without its filter, or with others
  // (its position passed over events those would want).
  const std::string of_order_7 = MakeResumeToken(kInstallation, 0, FilterFingerprint(7, "", {}));
  cases.push_back({Resume(of_order_7), "resume_token: issued for other filters"});
  v1::WatchOrderEventsRequest other_order = Resume(of_order_7);
  other_order.set_order_id("8");
  cases.push_back({other_order, "resume_token: issued for other filters"});
  v1::WatchOrderEventsRequest more_types = Resume(of_order_7);
  more_types.set_order_id("7");
  more_types.add_event_types("CREATED");
  cases.push_back({more_types, "resume_token: issued for other filters"});
  // A position above every id of this database (hand-made, or a restore).
  cases.push_back(
      {Resume(MakeResumeToken(kInstallation, 1000000, no_filter)), "ahead of this database"});
  v1::WatchOrderEventsRequest type = From(v1::WATCH_START_NOW);
  type.add_event_types("CA_ISSUED");
  type.add_event_types("CA_ISSUE");
  cases.push_back({type, "\"CA_ISSUE\""});
  v1::WatchOrderEventsRequest order = From(v1::WATCH_START_NOW);
  order.set_order_id("seven");
  cases.push_back({order, "order_id"});
  for (const Case& c : cases) {
    grpc::ClientContext context;
    auto reader = a->stub->WatchOrderEvents(&context, c.request);
    v1::WatchOrderEventsResponse response;
    EXPECT_FALSE(reader->Read(&response));
    grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(status.error_message(), HasSubstr(c.field));
  }
}

TEST_F(EventStreamTest, ADrainingServerEndsStreamsWithUnavailableAndTheClientResumesElsewhere) {
  auto a = NewReplica();
  auto b = NewReplica();
  Watch watch(*a->stub, From(v1::WATCH_START_NOW));
  ASSERT_EQ(watch.WaitFor(1).size(), 1u);
  b->Create("drain-1");
  ASSERT_EQ(watch.WaitForEvents(2).size(), 2u);

  const absl::Time shutdown = absl::Now();
  std::thread stopper([&] { a->host->Shutdown(); });
  grpc::Status status = watch.WaitDone(absl::Seconds(3));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_LT(absl::Now() - shutdown, absl::Seconds(4));  // not held for the 5 s grace
  stopper.join();

  const std::string token = watch.responses().back().resume_token();
  b->Create("drain-2");
  Watch resumed(*b->stub, Resume(token));
  const auto events = resumed.WaitForEvents(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event().type(), "CREATED");
  EXPECT_EQ(events[0].external_order_id(), "ext-drain-2");
}

TEST_F(EventStreamTest, IncludeOrderSendsTheOrderAsOfEachEventWhileItsSnapshotIsKept) {
  auto a = NewReplica();
  const std::string id = a->Create("with-order");
  a->Apply(id, domain::command::CaAccepted{1, "CA-" + id, "pending"}, absl::Now());
  a->Apply(id,
           domain::command::CaIssued{
               {absl::Now(), absl::Now() + absl::Hours(24 * 365), "PEM", "CHAIN", "0a"}, "issued"},
           absl::Now());
  CaughtUp(*a);
  v1::WatchOrderEventsRequest request = From(v1::WATCH_START_EARLIEST);
  request.set_order_id(id);
  request.set_include_order(true);
  {
    Watch watch(*a->stub, request);
    const auto events = watch.WaitForEvents(4);
    ASSERT_EQ(events.size(), 4u);
    // CREATED (version 1): the order as created, not as it is now (ACTIVE).
    EXPECT_EQ(events[0].event().type(), "CREATED");
    EXPECT_EQ(events[0].order_version(), 1);
    ASSERT_TRUE(events[0].has_order());
    EXPECT_EQ(events[0].order().order_id(), id);
    EXPECT_EQ(events[0].order().external_order_id(), "ext-with-order");
    ASSERT_EQ(events[0].order().certificates_size(), 1);
    EXPECT_EQ(events[0].order().certificates(0).status(), v1::CERTIFICATE_STATUS_OPEN);
    EXPECT_EQ(events[2].event().type(), "CA_ACCEPTED");
    ASSERT_TRUE(events[2].has_order());
    EXPECT_EQ(events[2].order().certificates(0).status(), v1::CERTIFICATE_STATUS_REQUESTED);
    EXPECT_EQ(events[3].event().type(), "CA_ISSUED");
    ASSERT_TRUE(events[3].has_order());
    EXPECT_EQ(events[3].order().certificates(0).status(), v1::CERTIFICATE_STATUS_ACTIVE);
  }
  // Without include_order, no order.
  {
    v1::WatchOrderEventsRequest plain = From(v1::WATCH_START_EARLIEST);
    plain.set_order_id(id);
    Watch watch(*a->stub, plain);
    const auto events = watch.WaitForEvents(4);
    ASSERT_EQ(events.size(), 4u);
    for (const auto& e : events) EXPECT_FALSE(e.has_order());
  }
  // A snapshot no longer kept (retention): the event comes without it.
  ASSERT_TRUE(pool_
                  ->Run("purge",
                        [&](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("DELETE FROM order_snapshots WHERE order_id = " + id +
                                        " AND version = 1");
                          return absl::OkStatus();
                        })
                  .ok());
  Watch watch(*a->stub, request);
  const auto events = watch.WaitForEvents(4);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].event().type(), "CREATED");
  EXPECT_FALSE(events[0].has_order());
  EXPECT_TRUE(events[3].has_order());
}

TEST_F(EventStreamTest, EarliestStartsWithTheOldestEventAndNowWithTheNextOne) {
  auto a = NewReplica();
  a->Create("start-1");
  CaughtUp(*a);
  Watch earliest(*a->stub, From(v1::WATCH_START_EARLIEST));
  Watch now(*a->stub, From(v1::WATCH_START_UNSPECIFIED));
  ASSERT_EQ(earliest.WaitForEvents(2).size(), 2u);
  ASSERT_EQ(now.WaitFor(1).size(), 1u);
  a->Create("start-2");
  const auto events = now.WaitForEvents(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].external_order_id(), "ext-start-2");
}

// Streams over a fake feed (no database): flow control, the stream limit and
// the idle keepalive, through a real gRPC server on 127.0.0.1.
class FakeFeed final : public app::EventFeed {
 public:
  explicit FakeFeed(int64_t watermark, size_t payload = 0)
      : watermark_(watermark), payload_(payload, 'x') {}

  absl::StatusOr<app::EventBatch> ReadAfter(int64_t after, const app::EventFilter&,
                                            int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++reads_;
    app::EventBatch batch;
    const int64_t top = std::min<int64_t>(after + limit, watermark_);
    for (int64_t id = after + 1; id <= top; ++id) {
      app::CommittedEvent e;
      e.order_id = 1;
      e.external_order_id = "ext-1";
      e.order_version = 1;
      e.record.id = id;
      e.record.certificate_id = 1;
      e.record.event.type = "UPDATED";
      e.record.event.at = absl::Now();
      e.record.event.reason = payload_;
      batch.events.push_back(std::move(e));
    }
    batch.through = std::max(after, top);
    return batch;
  }
  absl::StatusOr<int64_t> Watermark() override {
    std::lock_guard<std::mutex> lock(mu_);
    return watermark_;
  }
  absl::StatusOr<int64_t> WaitBeyond(int64_t position, absl::Time deadline) override {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_until(lock, absl::ToChronoTime(deadline),
                        [&] { return stop_ || watermark_ > position; });
    if (stop_) return absl::UnavailableError("stopped");
    return watermark_;
  }
  absl::StatusOr<int64_t> MaxId() override { return Watermark(); }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    changed_.notify_all();
  }
  int reads() {
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int64_t watermark_;
  const std::string payload_;
  int reads_ = 0;
  bool stop_ = false;
};

// Serves WatchOrderEvents only.
class WatchOnly final : public v1::WorkflowService::CallbackService {
 public:
  explicit WatchOnly(EventStreams& streams) : streams_(streams) {}
  grpc::ServerWriteReactor<v1::WatchOrderEventsResponse>* WatchOrderEvents(
      grpc::CallbackServerContext* context, const v1::WatchOrderEventsRequest* request) override {
    return streams_.Watch(context, request);
  }

 private:
  EventStreams& streams_;
};

class EventStreamFakeFeedTest : public ::testing::Test {
 protected:
  void Serve(std::unique_ptr<FakeFeed> feed, EventStreamOptions options) {
    feed_ = std::move(feed);
    streams_ = std::make_unique<EventStreams>(*feed_, kInstallation, options);
    service_ = std::make_unique<WatchOnly>(*streams_);
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::WorkflowService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                             grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) {
      streams_->Shutdown();
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    }
    if (feed_ != nullptr) feed_->Stop();
    streams_.reset();
  }

  std::unique_ptr<FakeFeed> feed_;
  std::unique_ptr<EventStreams> streams_;
  std::unique_ptr<WatchOnly> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::WorkflowService::Stub> stub_;
};

TEST_F(EventStreamFakeFeedTest, AClientThatDoesNotReadHoldsAtMostOneBatchAndStopsTheReads) {
  // Far more events than any transport buffer holds, 16 KiB each.
  constexpr int kBatch = 8;
  EventStreamOptions options;
  options.batch_size = kBatch;
  options.read_threads = 2;
  Serve(std::make_unique<FakeFeed>(1000000, 16 * 1024), options);

  grpc::ClientContext context;
  auto reader = stub_->WatchOrderEvents(&context, From(v1::WATCH_START_EARLIEST));
  v1::WatchOrderEventsResponse response;
  ASSERT_TRUE(reader->Read(&response));  // then the client stops reading

  // The server keeps writing until gRPC's flow control stops completing its
  // writes; from then on it must not read on. Sampled until both counters
  // stand still for a second (bounded).
  int reads = 0;
  int64_t writes = 0;
  int still = 0;
  for (int i = 0; i < 300 && still < 10; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    // Reads first: a write completing in between only lowers what is held.
    const int r = feed_->reads();
    const int64_t w = streams_->writes_completed();
    // Every read asks for a full batch (the fake always has one), and the
    // next is asked for only once the previous batch was written: what the
    // stream holds (read, not yet written) is at most one batch. The first
    // write was the starting checkpoint.
    const int64_t events_written = std::max<int64_t>(0, w - 1);
    EXPECT_LE(int64_t{r} * kBatch - events_written, kBatch)
        << r << " reads, " << w << " writes completed";
    EXPECT_LE(r, events_written / kBatch + 1);
    still = r == reads && w == writes ? still + 1 : 0;
    reads = r;
    writes = w;
  }
  ASSERT_GE(still, 10) << "the stream kept reading although the client did not";
  EXPECT_LT(int64_t{reads} * kBatch, 1000000);
  // It did stream (several batches went into the transport) before gRPC's
  // flow control held it.
  EXPECT_GE(reads, 2) << writes << " writes completed";
  std::cout << "flow control: " << reads << " reads, " << writes << " writes completed\n";

  // Reading again resumes the flow.
  int more = 0;
  while (more < 3 * kBatch && reader->Read(&response)) ++more;
  EXPECT_EQ(more, 3 * kBatch);
  context.TryCancel();
  reader->Finish();
}

TEST_F(EventStreamFakeFeedTest, StreamsOverTheLimitAreResourceExhausted) {
  EventStreamOptions options;
  options.max_streams = 2;
  Serve(std::make_unique<FakeFeed>(0), options);
  Watch one(*stub_, From(v1::WATCH_START_NOW));
  Watch two(*stub_, From(v1::WATCH_START_NOW));
  ASSERT_EQ(one.WaitFor(1).size(), 1u);
  ASSERT_EQ(two.WaitFor(1).size(), 1u);
  {
    Watch three(*stub_, From(v1::WATCH_START_NOW));
    grpc::Status status = three.WaitDone();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(), HasSubstr("--max_event_streams"));
  }
  // A stream that ends frees its place (bounded wait: OnDone runs on
  // gRPC's threads).
  one.Cancel();
  EXPECT_EQ(one.WaitDone().error_code(), grpc::StatusCode::CANCELLED);
  for (int i = 0; i < 100 && streams_->open_streams() > 1; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  Watch four(*stub_, From(v1::WATCH_START_NOW));
  EXPECT_EQ(four.WaitFor(1).size(), 1u);
  EXPECT_EQ(four.WaitDone(absl::Milliseconds(200)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);  // still open
}

TEST_F(EventStreamFakeFeedTest, AnIdleStreamGetsAKeepaliveCheckpoint) {
  EventStreamOptions options;
  options.keepalive_interval = absl::Milliseconds(300);
  Serve(std::make_unique<FakeFeed>(5), options);
  Watch idle(*stub_, From(v1::WATCH_START_NOW));
  const auto responses = idle.WaitFor(3, absl::Seconds(10));
  ASSERT_GE(responses.size(), 3u);  // the start, then keepalives
  const uint64_t no_filter = FilterFingerprint(0, "", {});
  for (const auto& r : responses) {
    EXPECT_FALSE(r.has_event());
    EXPECT_EQ(*ParseResumeToken(r.resume_token(), kInstallation, no_filter), 5);
  }
}

TEST_F(EventStreamFakeFeedTest, IncludeOrderWithoutSnapshotsIsInvalidArgument) {
  Serve(std::make_unique<FakeFeed>(5), {});
  v1::WatchOrderEventsRequest request = From(v1::WATCH_START_EARLIEST);
  request.set_include_order(true);
  Watch watch(*stub_, request);
  grpc::Status status = watch.WaitDone();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("include_order"));
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
