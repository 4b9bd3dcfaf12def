// The repository against the real MariaDB scripts/test starts; every test
// on a fresh database migrated from empty.
#include "workflow-service/src/storage/mysql_order_repository.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <atomic>
#include <thread>

#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/storage/installation.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5},
  {"id": "ov", "validation_type": "OV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5}]})";

constexpr char kInstallation[] = "00000000000000a1";

class RepositoryTest : public ::testing::Test {
 protected:
  RepositoryTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    repo_ = std::make_unique<MysqlOrderRepository>(*pool_, kInstallation);
    catalog_ = *app::ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<app::WorkflowApp>(*repo_, catalog_, parser_, clock_);
  }

  app::NewOrderInput DvOrder(const std::string& external_id, const std::string& cn) {
    app::NewOrderInput input;
    input.external_order_id = external_id;
    input.product_id = "dv";
    input.period_months = 12;
    input.common_name = cn;
    input.csr = testing::MakeCsr(cn);
    input.dcv_method = domain::DcvMethod::kDns;
    return input;
  }

  app::Caller Call(const std::string& request_id, const std::string& method = "Test") {
    return app::Caller{"test", request_id, method, "fp-" + request_id};
  }

  int64_t Count(const std::string& sql) {
    int64_t count = -1;
    EXPECT_TRUE(pool_
                    ->Run("count",
                          [&](sql::Connection& conn) {
                            std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                            std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
                            rows->next();
                            count = rows->getInt64(1);
                            return absl::OkStatus();
                          })
                    .ok());
    return count;
  }

  // Records a CA outcome the way the processing loop will.
  app::OrderRecord Apply(int64_t order_id, int index, domain::Command command) {
    auto record = app_->Mutate(order_id, app::Caller{"system:test"},
                               [&](const app::OrderRecord& r) -> absl::StatusOr<app::SaveRequest> {
                                 auto decision = domain::Decide(
                                     r.order, index, command,
                                     domain::Context{clock_.Now(), "system:test", {}});
                                 if (!decision.ok()) {
                                   return decision.status();
                                 }
                                 app::SaveRequest save;
                                 save.decision = *decision;
                                 return save;
                               });
    EXPECT_TRUE(record.ok()) << record.status();
    return *record;
  }

  FakeClock clock_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<MysqlOrderRepository> repo_;
  app::ProductCatalog catalog_;
  std::unique_ptr<app::WorkflowApp> app_;
};

TEST_F(RepositoryTest, CreatedOrderRoundTripsWithChainEventsAndOutbox) {
  app::NewOrderInput input = DvOrder("ext-1", "www.example.com");
  input.additional_names = {"example.com"};
  input.csr = testing::MakeCsr("www.example.com", {"www.example.com", "example.com"});
  auto created = app_->CreateOrder(input, Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok()) << created.status();
  auto loaded = repo_->Get(created->order.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const domain::Order& order = loaded->order;
  EXPECT_EQ(order.external_order_id, "ext-1");
  EXPECT_EQ(order.version, 1);
  EXPECT_EQ(order.created_at, clock_.Now());
  ASSERT_EQ(order.certificates.size(), 1u);
  const domain::Certificate& c = order.certificates[0];
  EXPECT_EQ(c.id, created->order.certificates[0].id);
  EXPECT_EQ(c.status, domain::CertificateStatus::kOpen);
  EXPECT_EQ(c.pending, domain::PendingOperation::kRequest);
  EXPECT_EQ(c.hold, domain::HoldReason::kAwaitingCa);
  EXPECT_THAT(c.additional_names, ElementsAre("example.com"));
  EXPECT_EQ(c.domain_validations.size(), 2u);
  EXPECT_EQ(c.csr_pem, input.csr);
  ASSERT_EQ(loaded->events.size(), 2u);
  EXPECT_EQ(loaded->events[0].event.type, "CREATED");
  EXPECT_FALSE(loaded->events[0].event.from_status.has_value());
  EXPECT_EQ(loaded->events[1].event.type, "SUBMITTED");
  EXPECT_GT(loaded->events[1].id, loaded->events[0].id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'SUBMIT_TO_CA' AND status = 'PENDING'"
                  " AND idempotency_key = 'wf-00000000000000a1-submit-" +
                  std::to_string(c.id) + "-1'"),
            1);
}

TEST_F(RepositoryTest, SameRequestIdReplaysAndADifferentPayloadIsRefused) {
  auto first = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(first.ok());
  auto replay = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->order.id, first->order.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 1);
  app::Caller other = Call("r1", "CreateOrder");
  other.fingerprint = "something else";
  auto conflict = app_->CreateOrder(DvOrder("ext-2", "www.example.com"), other);
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(conflict.status().message(), HasSubstr("request_id"));
}

TEST_F(RepositoryTest, ReplayWorksAfterARestartBecauseTheRecordIsDurable) {
  auto first = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(first.ok());
  // A new process: new pool, repository and app on the same database.
  auto pool = mysql::ConnectionPool::Create(db_->config());
  ASSERT_TRUE(pool.ok());
  MysqlOrderRepository repo(**pool, kInstallation);
  app::WorkflowApp app(repo, catalog_, parser_, clock_);
  auto replay = app.CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->order.id, first->order.id);
}

TEST_F(RepositoryTest, DuplicateExternalOrderIdIsAlreadyExistsNamingTheOrder) {
  auto first = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(first.ok());
  auto second = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r2", "CreateOrder"));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(second.status().message(), HasSubstr("external_order_id"));
  EXPECT_THAT(second.status().message(), HasSubstr(std::to_string(first->order.id)));
}

TEST_F(RepositoryTest, StaleVersionIsALostRaceNotASilentOverwrite) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  auto loaded = repo_->Get(created->order.id);
  ASSERT_TRUE(loaded.ok());
  auto decide = [&](const app::OrderRecord& r) {
    app::SaveRequest save;
    save.decision = *domain::Decide(r.order, 0, domain::command::RecordError{"x"},
                                    domain::Context{clock_.Now(), "t", {}});
    return save;
  };
  ASSERT_TRUE(repo_->Save(*loaded, decide(*loaded)).ok());
  auto lost = repo_->Save(*loaded, decide(*loaded));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(lost.status().message(), HasSubstr("changed by another request"));
}

TEST_F(RepositoryTest, TwoThreadsRacingToCancelMakeExactlyOneTransition) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  Apply(created->order.id, 0, domain::command::CaAccepted{1, "CA-1", "pending"});
  std::atomic<int> ok{0};
  std::vector<absl::Status> refusals(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      auto result =
          app_->CancelCertificate(created->order.id, std::nullopt, "race",
                                  Call("cancel-" + std::to_string(t), "CancelCertificate"));
      if (result.ok()) {
        ++ok;
      } else {
        refusals[t] = result.status();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(ok.load(), 1);
  for (const absl::Status& refusal : refusals) {
    if (!refusal.ok()) {
      EXPECT_EQ(refusal.code(), absl::StatusCode::kFailedPrecondition) << refusal;
      EXPECT_THAT(refusal.message(), HasSubstr("already waiting for the CA"));
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM order_events WHERE type = 'CANCEL_REQUESTED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'CANCEL_AT_CA'"), 1);
}

TEST_F(RepositoryTest, TheSameRequestSentTwiceAtOnceGetsTheSameAnswerTwice) {
  // A client that timed out resends while its first call is still running.
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  Apply(created->order.id, 0, domain::command::CaAccepted{1, "CA-1", "pending"});
  for (int round = 0; round < 5; ++round) {
    const app::NewOrderInput create = DvOrder("ext-c" + std::to_string(round), "c.example.com");
    std::vector<absl::StatusOr<app::OrderRecord>> creates(2, absl::UnknownError("not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        creates[t] =
            app_->CreateOrder(create, Call("dup-create-" + std::to_string(round), "CreateOrder"));
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    ASSERT_TRUE(creates[0].ok()) << creates[0].status();
    ASSERT_TRUE(creates[1].ok()) << creates[1].status();
    EXPECT_EQ(creates[0]->order.id, creates[1]->order.id);
  }
  std::vector<absl::StatusOr<app::OrderRecord>> cancels(2, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      cancels[t] = app_->CancelCertificate(created->order.id, std::nullopt, "twice",
                                           Call("dup-cancel", "CancelCertificate"));
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  ASSERT_TRUE(cancels[0].ok()) << cancels[0].status();
  ASSERT_TRUE(cancels[1].ok()) << cancels[1].status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM order_events WHERE type = 'CANCEL_REQUESTED'"), 1);
}

TEST_F(RepositoryTest, LongMultibyteTextIsCutAtACharacterBoundaryNotRejected) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  std::string reason;
  for (int i = 0; i < 700; ++i) {
    reason += "\xC3\xA9";  // é: 1400 bytes for a 1024-character column
  }
  const app::OrderRecord refused =
      Apply(created->order.id, 0, domain::command::CaRefused{"a" + reason, "rejected"});
  EXPECT_EQ(refused.order.certificates[0].status, domain::CertificateStatus::kRejected);
  auto loaded = repo_->Get(created->order.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const std::string& stored = loaded->order.certificates[0].rejection_reason;
  EXPECT_LE(stored.size(), 1024u);
  EXPECT_EQ(stored.size() % 2, 1u) << "'a' plus whole two-byte characters";
}

TEST_F(RepositoryTest, CancellingAnUnsentSubmissionDropsItInsteadOfAskingTheCa) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  auto cancelled = app_->CancelCertificate(created->order.id, std::nullopt, "changed my mind",
                                           Call("r2", "CancelCertificate"));
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->order.certificates[0].status, domain::CertificateStatus::kRejected);
  EXPECT_EQ(cancelled->order.status, domain::OrderStatus::kClosed);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE kind = 'SUBMIT_TO_CA' AND status = 'CANCELLED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'ABANDON_AT_CA'"), 0);
}

TEST_F(RepositoryTest, CancellingAnAttemptedSubmissionAbandonsItAtTheCaBySubmitKey) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  Count("SELECT 1");  // keep the helper honest about the connection
  ASSERT_TRUE(pool_
                  ->Run("attempt",
                        [](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("UPDATE outbox SET attempts = 1");
                          return absl::OkStatus();
                        })
                  .ok());
  ASSERT_TRUE(
      app_->CancelCertificate(created->order.id, std::nullopt, "", Call("r2", "Cancel")).ok());
  const int64_t cert = created->order.certificates[0].id;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'ABANDON_AT_CA'"
                  " AND ref_key = 'wf-00000000000000a1-submit-" +
                  std::to_string(cert) + "-1'"),
            1);
}

TEST_F(RepositoryTest, ListFiltersAndPagesStablyUnderConcurrentInserts) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(app_->CreateOrder(DvOrder("ext-" + std::to_string(i),
                                          "host" + std::to_string(i) + ".example.com"),
                                  Call("c" + std::to_string(i), "CreateOrder"))
                    .ok());
  }
  app::ListQuery query;
  query.limit = 2;
  auto first = repo_->List(query);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->orders.size(), 2u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->orders[0].order.external_order_id, "ext-4");
  // A new order arrives between pages; the next page neither repeats nor skips.
  ASSERT_TRUE(
      app_->CreateOrder(DvOrder("ext-new", "new.example.com"), Call("cn", "CreateOrder")).ok());
  query.before_order_id = first->orders.back().order.id;
  auto second = repo_->List(query);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->orders[0].order.external_order_id, "ext-2");

  app::ListQuery suffix;
  suffix.common_name_pattern = "*.example.com";
  EXPECT_EQ(repo_->List(suffix)->orders.size(), 6u);
  app::ListQuery prefix;
  prefix.common_name_pattern = "host3*";
  EXPECT_EQ(repo_->List(prefix)->orders.size(), 1u);
  app::ListQuery code;
  code.reseller_code = domain::ResellerCode::kPai;
  EXPECT_EQ(repo_->List(code)->orders.size(), 6u);
  code.reseller_code = domain::ResellerCode::kAct;
  EXPECT_EQ(repo_->List(code)->orders.size(), 0u);
}

TEST_F(RepositoryTest, ExpiringWithinFindsActiveCertificatesByIndex) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  const int64_t id = created->order.id;
  Apply(id, 0, domain::command::CaAccepted{1, "CA-1", "pending"});
  domain::IssuedCertificate issued{clock_.Now(), clock_.Now() + absl::Hours(24 * 20), "PEM", "",
                                   "01"};
  Apply(id, 0, domain::command::CaIssued{issued, "issued"});
  app::ListQuery query;
  query.now = clock_.Now();
  query.expiring_before = clock_.Now() + absl::Hours(24 * 30);
  EXPECT_EQ(repo_->List(query)->orders.size(), 1u);
  query.expiring_before = clock_.Now() + absl::Hours(24 * 10);
  EXPECT_EQ(repo_->List(query)->orders.size(), 0u);
  app::ListQuery active;
  active.certificate_status = domain::CertificateStatus::kActive;
  EXPECT_EQ(repo_->List(active)->orders.size(), 1u);
}

TEST_F(RepositoryTest, AReadShowsTheHistoryAsOfTheOrderVersionItRead) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  const int64_t cert = created->order.certificates[0].id;
  // An event of the next version, as a concurrent writer commits it between
  // the reader's two queries (before its orders row is visible).
  ASSERT_TRUE(
      pool_
          ->Run("future event",
                [&](sql::Connection& conn) {
                  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                  stmt->execute(
                      "INSERT INTO order_events (order_id, order_version, certificate_id, type,"
                      " from_status, to_status, from_pending, to_pending, occurred_at,"
                      " recorded_at, actor, reason) VALUES (" +
                      std::to_string(created->order.id) + ", 2, " + std::to_string(cert) +
                      ", 'CA_ACCEPTED', 'OPEN', 'REQUESTED', 'REQUEST', 'NONE',"
                      " NOW(6), NOW(6), 't', '')");
                  return absl::OkStatus();
                })
          .ok());
  auto loaded = repo_->Get(created->order.id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->order.version, 1);
  EXPECT_EQ(loaded->events.size(), 2u) << "CREATED and SUBMITTED only";
}

TEST_F(RepositoryTest, EventsPageInOrder) {
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  Apply(created->order.id, 0, domain::command::CaAccepted{1, "CA-1", "pending"});
  auto page = repo_->ListEvents(created->order.id, 0, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_TRUE(page->more);
  auto rest = repo_->ListEvents(created->order.id, page->events.back().id, 2);
  ASSERT_EQ(rest->events.size(), 1u);
  EXPECT_EQ(rest->events[0].event.type, "CA_ACCEPTED");
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(repo_->ListEvents(999999, 0, 2).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RepositoryTest, AbandonNamesTheKeyTheSubmissionWasStoredWithNotOneRecomputed) {
  // A submission stored before the installation id existed (old key format)
  // and tried once; after the upgrade the customer cancels. The abandon must
  // name the key the adapter saw, or the CA order it may have made survives.
  auto created = app_->CreateOrder(DvOrder("ext-1", "www.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(created.ok());
  const int64_t cert = created->order.certificates[0].id;
  const std::string old_key = "wf-submit-" + std::to_string(cert) + "-1";
  ASSERT_TRUE(pool_
                  ->Run("downgrade the stored key",
                        [&](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("UPDATE outbox SET attempts = 1, idempotency_key = '" +
                                        old_key + "'");
                          return absl::OkStatus();
                        })
                  .ok());
  ASSERT_TRUE(
      app_->CancelCertificate(created->order.id, std::nullopt, "", Call("r2", "Cancel")).ok());
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE kind = 'ABANDON_AT_CA' AND ref_key = '" + old_key +
            "' AND idempotency_key = 'wf-00000000000000a1-abandon-" + std::to_string(cert) + "-1'"),
      1);
}

TEST_F(RepositoryTest, InstallationIdIsCreatedOnceAndRenewedOnlyWhenAsked) {
  auto first = EnsureInstallationId(*pool_, "1111111111111111", clock_.Now());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "1111111111111111");
  // A second migrate, or a replica starting, keeps the id that is there.
  auto again = EnsureInstallationId(*pool_, "2222222222222222", clock_.Now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "1111111111111111");
  EXPECT_EQ(EnsureInstallationId(*pool_, "not-hex", clock_.Now()).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto previous = RenewInstallationId(*pool_, "3333333333333333", clock_.Now());
  ASSERT_TRUE(previous.ok()) << previous.status();
  EXPECT_EQ(*previous, "1111111111111111");
  EXPECT_EQ(*EnsureInstallationId(*pool_, "4444444444444444", clock_.Now()), "3333333333333333");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM installation WHERE installation_id = '3333333333333333'"
                  " AND previous_installation_id = '1111111111111111'"),
            1);
}

TEST_F(RepositoryTest, RowsInFlightKeepTheirKeysWhenTheInstallationIdChanges) {
  auto before = app_->CreateOrder(DvOrder("ext-1", "one.example.com"), Call("r1", "CreateOrder"));
  ASSERT_TRUE(before.ok());
  // The service restarts after `migrate --new_installation_id`.
  MysqlOrderRepository renewed(*pool_, "00000000000000b2");
  app::WorkflowApp app(renewed, catalog_, parser_, clock_);
  auto after = app.CreateOrder(DvOrder("ext-2", "two.example.com"), Call("r2", "CreateOrder"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'wf-00000000000000a1-submit-" +
            std::to_string(before->order.certificates[0].id) + "-1'"),
      1);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'wf-00000000000000b2-submit-" +
            std::to_string(after->order.certificates[0].id) + "-1'"),
      1);
}

TEST_F(RepositoryTest, WorkflowSchemaIsCurrentAfterMigrating) {
  EXPECT_TRUE(mysql::CheckSchemaCurrent(*pool_, WorkflowMigrations()).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(WorkflowMigrations().size()));
}

}  // namespace
}  // namespace sslpanel::workflow::storage
