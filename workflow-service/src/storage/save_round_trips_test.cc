// How many round trips to MariaDB a Save costs, counted by the server
// (SHOW SESSION STATUS on the pool's only connection, with every statement
// already prepared): CreateOrder's Save writes each table in one statement
// and reads the order and certificate ids back in one SELECT (portable SQL:
// no RETURNING, which MySQL lacks), never a LAST_INSERT_ID() query per row.
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::storage {
namespace {

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5}]})";

// The server's counters of the statements a connection sent.
using Counters = std::map<std::string, int64_t>;

Counters Read(mysql::ConnectionPool& pool) {
  Counters counters;
  EXPECT_TRUE(pool.Run("status",
                       [&](sql::Connection& conn) {
                         std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                         std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(
                             "SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_execute',"
                             " 'Com_stmt_prepare', 'Com_begin', 'Com_commit', 'Com_rollback')"));
                         while (rows->next()) {
                           counters[rows->getString(1)] = rows->getInt64(2);
                         }
                         return absl::OkStatus();
                       })
                  .ok());
  return counters;
}

// Round trips between two readings: prepared statements executed (Save
// sends nothing else but START and COMMIT/ROLLBACK), prepares, and the
// transaction's ends. Com_select/Com_insert are left out: a prepared
// statement counts there too. The SHOW itself is none of these.
int64_t RoundTrips(const Counters& a, const Counters& b) {
  int64_t total = 0;
  for (const auto& [name, value] : b) {
    total += value - a.at(name);
  }
  return total;
}

// The repository, with the round trips of each Save counted.
class CountingRepository final : public app::OrderRepository {
 public:
  CountingRepository(mysql::ConnectionPool& pool, MysqlOrderRepository& repo)
      : pool_(pool), repo_(repo) {}

  absl::StatusOr<app::OrderRecord> Get(int64_t id) override { return repo_.Get(id); }
  absl::StatusOr<app::OrderRecord> GetByExternalId(const std::string& id) override {
    return repo_.GetByExternalId(id);
  }
  absl::StatusOr<app::OrderPage> List(const app::ListQuery& query) override {
    return repo_.List(query);
  }
  absl::StatusOr<app::EventPage> ListEvents(int64_t id, int64_t after, int limit) override {
    return repo_.ListEvents(id, after, limit);
  }
  absl::StatusOr<std::optional<app::RequestRecord>> FindRequest(const std::string& id) override {
    return repo_.FindRequest(id);
  }
  absl::StatusOr<app::OrderRecord> Save(const app::OrderRecord& before,
                                        const app::SaveRequest& save) override {
    const Counters start = Read(pool_);
    auto saved = repo_.Save(before, save);
    last_save = RoundTrips(start, Read(pool_));
    return saved;
  }

  int64_t last_save = -1;

 private:
  mysql::ConnectionPool& pool_;
  MysqlOrderRepository& repo_;
};

class SaveRoundTripsTest : public ::testing::Test {
 protected:
  SaveRoundTripsTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    mysql::MysqlConfig config = db_->config();
    config.pool_size = 1;  // the counters are per session
    auto pool = mysql::ConnectionPool::Create(config);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    repo_ = std::make_unique<MysqlOrderRepository>(*pool_, "00000000000000a1");
    counting_ = std::make_unique<CountingRepository>(*pool_, *repo_);
    catalog_ = *app::ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<app::WorkflowApp>(*counting_, catalog_, parser_, clock_);
  }

  app::OrderRecord Create(const std::string& external_id) {
    app::NewOrderInput input;
    input.external_order_id = external_id;
    input.product_id = "dv";
    input.period_months = 12;
    input.common_name = "www.example.com";
    input.additional_names = {"example.com"};
    input.csr = testing::MakeCsr("www.example.com", {"www.example.com", "example.com"});
    input.dcv_method = domain::DcvMethod::kDns;
    auto created = app_->CreateOrder(
        input, app::Caller{"test", "r-" + external_id, "CreateOrder", "fp-" + external_id});
    EXPECT_TRUE(created.ok()) << created.status();
    return *created;
  }

  void Accept(int64_t order_id) {
    auto record = app_->Mutate(order_id, app::Caller{"system:test"},
                               [&](const app::OrderRecord& r) -> absl::StatusOr<app::SaveRequest> {
                                 auto decision = domain::Decide(
                                     r.order, 0, domain::command::CaAccepted{1, "CA-1", "pending"},
                                     domain::Context{clock_.Now(), "system:test", {}});
                                 if (!decision.ok()) {
                                   return decision.status();
                                 }
                                 app::SaveRequest save;
                                 save.decision = *decision;
                                 return save;
                               });
    ASSERT_TRUE(record.ok()) << record.status();
  }

  FakeClock clock_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<MysqlOrderRepository> repo_;
  std::unique_ptr<CountingRepository> counting_;
  app::ProductCatalog catalog_;
  std::unique_ptr<app::WorkflowApp> app_;
};

TEST_F(SaveRoundTripsTest, CreateOrderWritesEachTableOnceAndALifecycleSaveStaysSmall) {
  // The first of each statement is prepared on the connection; count the
  // second, as a long-running service sees them.
  Accept(Create("warm-up").order.id);
  const app::OrderRecord created = Create("measured");
  const int64_t create = counting_->last_save;
  Accept(created.order.id);
  const int64_t accept = counting_->last_save;
  std::cout << "round trips: CreateOrder's Save " << create << ", CaAccepted's Save " << accept
            << "\n";
  // START, orders, request_ids (order_id = LAST_INSERT_ID()), certificates
  // (the same), the ids read back by seq, order_events (CREATED and SUBMITTED
  // in one statement), outbox, COMMIT. (With a LAST_INSERT_ID() query after
  // the orders and each certificate row it was 9; MariaDB-only RETURNING
  // made it 7.)
  EXPECT_EQ(create, 8);
  // START, orders, certificates, order_events, COMMIT.
  EXPECT_EQ(accept, 5);
}

// A new order's certificates in one multi-row INSERT whose order_id is
// LAST_INSERT_ID(): every row gets the orders row's id (not an id the same
// INSERT generated), and the read-back matches ids by seq, with ids that are
// not consecutive (auto_increment_increment = 3 on the session).
TEST_F(SaveRoundTripsTest, NewOrderWithSeveralCertificatesGetsItsIdsFromTheServer) {
  const app::OrderRecord template_record = Create("template");
  ASSERT_TRUE(pool_
                  ->Run("increment",
                        [](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("SET SESSION auto_increment_increment = 3");
                          return absl::OkStatus();
                        })
                  .ok());
  app::SaveRequest save;
  save.decision.order = template_record.order;
  domain::Order& order = save.decision.order;
  order.id = 0;
  order.version = 0;
  order.external_order_id = "several";
  order.certificates.resize(3, template_record.order.certificates[0]);
  for (size_t i = 0; i < order.certificates.size(); ++i) {
    order.certificates[i].id = 0;
    order.certificates[i].predecessor = static_cast<int>(i) - 1;
    order.certificates[i].common_name = "c" + std::to_string(i) + ".example.com";
  }
  save.request = app::RequestRecord{"r-several", "CreateOrder", "fp-several", 0};
  auto saved = counting_->Save(app::OrderRecord{}, save);
  ASSERT_TRUE(saved.ok()) << saved.status();
  // START, orders, request_ids, certificates, read, COMMIT, and the prepare
  // of the three-row INSERT (the other statements were prepared by Create).
  EXPECT_EQ(counting_->last_save, 7);
  ASSERT_GT(saved->order.id, template_record.order.id);

  auto stored = repo_->Get(saved->order.id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->order.external_order_id, "several");
  ASSERT_EQ(stored->order.certificates.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NE(saved->order.certificates[i].id, 0);
    EXPECT_EQ(stored->order.certificates[i].id, saved->order.certificates[i].id) << i;
    EXPECT_EQ(stored->order.certificates[i].common_name, "c" + std::to_string(i) + ".example.com");
  }
  EXPECT_EQ(saved->order.certificates[1].id - saved->order.certificates[0].id, 3);
  auto request = repo_->FindRequest("r-several");
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_TRUE(request->has_value());
  EXPECT_EQ((*request)->order_id, saved->order.id);

  // Certificates added to it later: one INSERT, one read-back by (order_id,
  // seq). The first time, the orders UPDATE, the two-row INSERT and the
  // read-back are prepared on the connection too (3 more).
  app::OrderRecord current = *saved;
  for (const int64_t expected : {5 + 3, 5}) {
    app::SaveRequest more;
    more.decision.order = current.order;
    const size_t first = current.order.certificates.size();
    more.decision.order.certificates.resize(first + 2, current.order.certificates.back());
    for (size_t i = first; i < first + 2; ++i) {
      more.decision.order.certificates[i].id = 0;
      more.decision.order.certificates[i].predecessor = static_cast<int>(i) - 1;
    }
    auto added = counting_->Save(current, more);
    ASSERT_TRUE(added.ok()) << added.status();
    EXPECT_EQ(counting_->last_save, expected);  // START, orders, certificates, read, COMMIT
    stored = repo_->Get(saved->order.id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_EQ(stored->order.certificates.size(), first + 2);
    for (size_t i = 0; i < first + 2; ++i) {
      EXPECT_NE(added->order.certificates[i].id, 0);
      EXPECT_EQ(stored->order.certificates[i].id, added->order.certificates[i].id) << i;
    }
    current = *std::move(added);
  }
}

}  // namespace
}  // namespace sslpanel::workflow::storage
