// The webhook store against the real MariaDB scripts/test starts: secrets
// sealed at rest, the dispatch lease and cursor, claims with leases, strict
// per-order order, blocking by a dead delivery, dismiss and redeliver, the
// effect of pause and delete, and snapshots written by Save.
#include "workflow-service/src/storage/mysql_webhook_store.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::storage {
namespace {

using domain::DeliveryStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1780000000);
constexpr char kSecret[] = "whsec_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

class WebhookStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    auto key = crypto::MakeSecretKey(std::string(32, '\x42'));
    ASSERT_TRUE(key.ok());
    auto keyring = crypto::Keyring::Create(*key, {});
    ASSERT_TRUE(keyring.ok()) << keyring.status();
    keyring_ = *std::move(keyring);
    store_ = std::make_unique<MysqlWebhookStore>(*pool_, keyring_);
  }

  app::WebhookRequest Request(const std::string& id, const std::string& method = "Test") {
    return {id, method, std::string(64, 'f'), 0, 0, ""};
  }

  int64_t Subscribe(const std::string& request_id, int64_t start = 0, bool paused = false,
                    std::vector<std::string> types = {}) {
    app::NewSubscription s;
    s.url = "https://127.0.0.1:9/hook";
    s.event_types = std::move(types);
    s.paused = paused;
    app::WebhookRequest request = Request(request_id);
    request.secret = kSecret;
    auto created = store_->CreateSubscription(
        s, kSecret, [&]() -> absl::StatusOr<int64_t> { return start; }, request, kNow);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id : 0;
  }

  // Dispatches `events` (id, order) to every live subscription.
  void DispatchEvents(const std::vector<std::pair<int64_t, int64_t>>& events) {
    ASSERT_TRUE(*store_->AcquireDispatch("a", kNow, absl::Seconds(30)));
    const int64_t from = *store_->DispatchPosition();
    auto created = store_->Dispatch(
        "a", from, events.back().first,
        [&](const std::vector<app::DispatchTarget>& targets)
            -> absl::StatusOr<std::vector<app::NewDelivery>> {
          std::vector<app::NewDelivery> out;
          for (const auto& [event, order] : events) {
            for (const app::DispatchTarget& t : targets) {
              out.push_back({t.subscription_id, event, order, 1, "CREATED",
                             absl::StrCat("{\"e\":", event, "}"), kNow});
            }
          }
          return out;
        },
        kNow);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  std::vector<int64_t> ClaimIds(absl::Time now, const std::string& owner = "w") {
    auto claimed = store_->ClaimDue(now, 50, absl::Seconds(40), owner);
    EXPECT_TRUE(claimed.ok()) << claimed.status();
    std::vector<int64_t> ids;
    for (const app::ClaimedDelivery& d : claimed.value_or(std::vector<app::ClaimedDelivery>{})) {
      ids.push_back(d.id);
    }
    return ids;
  }

  void Finish(int64_t id, DeliveryStatus status, absl::Time at) {
    app::AttemptRecord r;
    r.status = status;
    r.next_attempt_at = at;
    r.dead_at = at + absl::Hours(1);
    r.attempted_at = at;
    r.http_status = status == DeliveryStatus::kDelivered ? 200 : 500;
    ASSERT_TRUE(store_->FinishAttempt(id, r).ok());
  }

  // The delivery of `event` for `subscription`.
  app::WebhookDelivery Of(int64_t subscription, int64_t event) {
    app::DeliveryQuery q;
    q.subscription_id = subscription;
    const std::vector<app::WebhookDelivery> all = *store_->ListDeliveries(q);
    for (const app::WebhookDelivery& d : all) {
      if (d.event_id == event) {
        return d;
      }
    }
    ADD_FAILURE() << "no delivery of event " << event;
    return {};
  }

  std::string Column(const std::string& query) {
    std::string value;
    EXPECT_TRUE(pool_
                    ->Run("read",
                          [&](sql::Connection& conn) {
                            std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                            std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(query));
                            if (rows->next()) {
                              value = rows->getString(1);
                            }
                            return absl::OkStatus();
                          })
                    .ok());
    return value;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  crypto::Keyring keyring_;
  std::unique_ptr<MysqlWebhookStore> store_;
};

TEST_F(WebhookStoreTest, SecretsAreSealedAtRestAndReplaysGetThemBack) {
  const int64_t id = Subscribe("create-1");
  const std::string stored =
      Column(absl::StrCat("SELECT secret FROM webhook_subscriptions WHERE id = ", id));
  EXPECT_THAT(stored, Not(HasSubstr("whsec_")));
  EXPECT_TRUE(crypto::IsEnvelope(stored)) << stored;
  EXPECT_THAT(Column("SELECT secret FROM webhook_requests WHERE request_id = 'create-1'"),
              Not(HasSubstr("whsec_")));
  auto seen = store_->FindRequest("create-1");
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ((*seen)->subscription_id, id);
  EXPECT_EQ((*seen)->secret, kSecret);
  // A second use of the request id loses (the app replays the first).
  app::NewSubscription s;
  s.url = "https://127.0.0.1:9/hook";
  EXPECT_EQ(
      store_
          ->CreateSubscription(
              s, kSecret, [] { return absl::StatusOr<int64_t>(0); }, Request("create-1"), kNow)
          .status()
          .code(),
      absl::StatusCode::kAlreadyExists);
}

TEST_F(WebhookStoreTest, MigrateSealsPlaintextSecretsAndResealsOldKeys) {
  // Stored before any key was configured: plaintext.
  crypto::Keyring none;
  MysqlWebhookStore plain(*pool_, none);
  app::NewSubscription s;
  s.url = "https://127.0.0.1:9/hook";
  app::WebhookRequest request = Request("plain-create");
  request.secret = kSecret;
  auto created = plain.CreateSubscription(
      s, kSecret, [] { return absl::StatusOr<int64_t>(0); }, request, kNow);
  ASSERT_TRUE(created.ok()) << created.status();
  const int64_t id = created->id;
  app::SubscriptionChange rotate;
  rotate.new_secret = std::string(kSecret).replace(6, 4, "AAAA");
  rotate.previous_secret_grace = absl::Hours(1);
  app::WebhookRequest rotation = Request("plain-rotate");
  rotation.secret = *rotate.new_secret;
  ASSERT_TRUE(plain.UpdateSubscription(id, rotate, rotation, kNow).ok());
  const std::string secret_sql =
      absl::StrCat("SELECT secret FROM webhook_subscriptions WHERE id = ", id);
  const std::string previous_sql =
      absl::StrCat("SELECT previous_secret FROM webhook_subscriptions WHERE id = ", id);
  const std::string request_sql =
      "SELECT secret FROM webhook_requests WHERE request_id = 'plain-create'";
  ASSERT_EQ(Column(secret_sql), *rotate.new_secret);
  ASSERT_EQ(Column(previous_sql), kSecret);
  ASSERT_EQ(Column(request_sql), kSecret);
  // Without a key, nothing to do.
  EXPECT_EQ(*SealWebhookSecrets(*pool_, none), 0);
  // With one (keyring_): all four values sealed, once.
  auto sealed = SealWebhookSecrets(*pool_, keyring_);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(*sealed, 4);
  for (const std::string& sql : {secret_sql, previous_sql, request_sql}) {
    EXPECT_TRUE(crypto::IsEnvelope(Column(sql))) << sql << ": " << Column(sql);
    EXPECT_THAT(Column(sql), Not(HasSubstr("whsec_"))) << sql;
  }
  EXPECT_EQ(*SealWebhookSecrets(*pool_, keyring_), 0) << "sealed already";
  auto seen = store_->FindRequest("plain-create");
  ASSERT_TRUE(seen.ok() && seen->has_value()) << seen.status();
  EXPECT_EQ((*seen)->secret, kSecret);
  // A new current key, the old one kept to open: everything is re-sealed
  // under the new key, so a store with the new key alone opens both secrets.
  auto old_key = crypto::MakeSecretKey(std::string(32, '\x42'));
  auto new_key = crypto::MakeSecretKey(std::string(32, '\x43'));
  ASSERT_TRUE(old_key.ok() && new_key.ok());
  auto rotated = crypto::Keyring::Create(*new_key, {*old_key});
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  const std::string before = Column(secret_sql);
  EXPECT_EQ(*SealWebhookSecrets(*pool_, *rotated), 4);
  EXPECT_NE(Column(secret_sql), before);
  auto only_new = crypto::Keyring::Create(*new_key, {});
  ASSERT_TRUE(only_new.ok());
  MysqlWebhookStore fresh(*pool_, *only_new);
  DispatchEvents({{1, 7}});
  auto claimed = fresh.ClaimDue(kNow, 10, absl::Seconds(40), "w");
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_THAT((*claimed)[0].secrets, ElementsAre(*rotate.new_secret, kSecret))
      << "opened with the new key alone";
}

TEST_F(WebhookStoreTest, MissingSubscriptionsAreNotFoundNamingTheField) {
  for (const absl::Status& s : {store_->GetSubscription(99).status(),
                                store_->UpdateSubscription(99, {}, Request("u"), kNow).status(),
                                store_->DeleteSubscription(99, Request("d"), kNow)}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(s.message(), HasSubstr("subscription_id"));
  }
  for (const absl::Status& s :
       {store_->GetDelivery(99).status(), store_->Redeliver(99, Request("r"), kNow).status(),
        store_->Dismiss(99, Request("x"), kNow).status()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(s.message(), HasSubstr("delivery_id"));
  }
  // Nothing was recorded for the refused writes: a retry is a new request.
  EXPECT_FALSE(store_->FindRequest("u")->has_value());
}

TEST_F(WebhookStoreTest, RotationKeepsThePreviousSecretUntilItsGraceEnds) {
  const int64_t id = Subscribe("c");
  app::SubscriptionChange change;
  change.new_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  change.previous_secret_grace = absl::Hours(1);
  auto rotated = store_->UpdateSubscription(id, change, Request("rot"), kNow);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->previous_secret_expires_at, kNow + absl::Hours(1));
  DispatchEvents({{1, 7}});
  auto claimed = store_->ClaimDue(kNow, 10, absl::Seconds(40), "w");
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_THAT((*claimed)[0].secrets, ElementsAre(*change.new_secret, kSecret));
  Finish((*claimed)[0].id, DeliveryStatus::kPending, kNow + absl::Hours(2));
  claimed = store_->ClaimDue(kNow + absl::Hours(2), 10, absl::Seconds(40), "w");
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_THAT((*claimed)[0].secrets, ElementsAre(*change.new_secret)) << "grace is over";
}

TEST_F(WebhookStoreTest, OneDispatcherAtATimeAndTheCursorOnlyMovesForTheHolder) {
  EXPECT_TRUE(*store_->AcquireDispatch("a", kNow, absl::Seconds(30)));
  EXPECT_FALSE(*store_->AcquireDispatch("b", kNow + absl::Seconds(10), absl::Seconds(30)));
  EXPECT_TRUE(*store_->AcquireDispatch("a", kNow + absl::Seconds(10), absl::Seconds(30)));
  auto none = [](const std::vector<app::DispatchTarget>&) {
    return absl::StatusOr<std::vector<app::NewDelivery>>(std::vector<app::NewDelivery>{});
  };
  EXPECT_EQ(store_->Dispatch("b", 0, 5, none, kNow).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->Dispatch("a", 3, 5, none, kNow).status().code(), absl::StatusCode::kAborted)
      << "a cursor that moved since it was read";
  ASSERT_TRUE(store_->Dispatch("a", 0, 5, none, kNow).ok());
  EXPECT_EQ(*store_->DispatchPosition(), 5);
  // a's lease runs out: b takes over where a left the cursor.
  EXPECT_TRUE(*store_->AcquireDispatch("b", kNow + absl::Seconds(41), absl::Seconds(30)));
  EXPECT_EQ(store_->Dispatch("a", 5, 6, none, kNow).status().code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(store_->Dispatch("b", 5, 6, none, kNow).ok());
}

TEST_F(WebhookStoreTest, ADeliveryIsWrittenOncePerSubscriptionAndEvent) {
  const int64_t sub = Subscribe("c");
  DispatchEvents({{1, 7}});
  // The same batch again (as after a lost lease) adds nothing.
  ASSERT_TRUE(*store_->AcquireDispatch("a", kNow, absl::Seconds(30)));
  auto again = store_->Dispatch(
      "a", 1, 1,
      [&](const std::vector<app::DispatchTarget>&) {
        return absl::StatusOr<std::vector<app::NewDelivery>>(
            std::vector<app::NewDelivery>{{sub, 1, 7, 1, "CREATED", "{}", kNow}});
      },
      kNow);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  app::DeliveryQuery q;
  EXPECT_EQ(store_->ListDeliveries(q)->size(), 1u);
}

TEST_F(WebhookStoreTest, DeliveriesOfOneOrderGoStrictlyInEventOrder) {
  const int64_t sub = Subscribe("c");
  DispatchEvents({{1, 7}, {2, 8}, {3, 7}, {4, 7}});
  const int64_t e1 = Of(sub, 1).id, e2 = Of(sub, 2).id, e3 = Of(sub, 3).id, e4 = Of(sub, 4).id;
  // Only the first of each order is due; a second claimer finds them leased.
  EXPECT_THAT(ClaimIds(kNow), ::testing::UnorderedElementsAre(e1, e2));
  EXPECT_THAT(ClaimIds(kNow, "other"), ElementsAre());
  // A failed attempt keeps the order's later deliveries waiting.
  Finish(e1, DeliveryStatus::kPending, kNow + absl::Seconds(5));
  EXPECT_THAT(ClaimIds(kNow + absl::Seconds(1)), ElementsAre());
  EXPECT_THAT(ClaimIds(kNow + absl::Seconds(5)), ElementsAre(e1));
  Finish(e1, DeliveryStatus::kDelivered, kNow + absl::Seconds(6));
  EXPECT_THAT(ClaimIds(kNow + absl::Seconds(6)), ElementsAre(e3));
  Finish(e3, DeliveryStatus::kDelivered, kNow + absl::Seconds(6));
  EXPECT_THAT(ClaimIds(kNow + absl::Seconds(6)), ElementsAre(e4));
  // A worker that dies leaves its claim due again after the lease.
  EXPECT_THAT(ClaimIds(kNow + absl::Seconds(47)), ::testing::UnorderedElementsAre(e2, e4));
  EXPECT_EQ(Of(sub, 4).attempts, 2);
}

TEST_F(WebhookStoreTest, ADeadDeliveryBlocksVisiblyUntilDismissedOrRedelivered) {
  const int64_t sub = Subscribe("c");
  DispatchEvents({{1, 7}, {2, 7}, {3, 7}});
  const int64_t e1 = Of(sub, 1).id, e2 = Of(sub, 2).id, e3 = Of(sub, 3).id;
  EXPECT_THAT(ClaimIds(kNow), ElementsAre(e1));
  Finish(e1, DeliveryStatus::kDead, kNow);
  EXPECT_THAT(ClaimIds(kNow + absl::Hours(1)), ElementsAre());
  EXPECT_EQ(Of(sub, 2).blocked_by_delivery_id, e1);
  EXPECT_EQ(Of(sub, 3).blocked_by_delivery_id, e1);
  EXPECT_EQ(store_->GetSubscription(sub)->dead_deliveries, 1);
  // Dismiss is for DEAD only.
  const absl::Status pending = store_->Dismiss(e2, Request("x2"), kNow).status();
  EXPECT_EQ(pending.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pending.message(), HasSubstr("PENDING"));
  // Redelivered: due at once with a fresh deadline, the later ones wait for
  // it; its attempts are kept (history), the backoff starts again.
  const int attempts_before = Of(sub, 1).attempts;
  ASSERT_GE(attempts_before, 1);
  auto again = store_->Redeliver(e1, Request("r1"), kNow + absl::Hours(2));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, DeliveryStatus::kPending);
  EXPECT_FALSE(again->dead_at.has_value());
  EXPECT_EQ(again->attempts, attempts_before);
  EXPECT_EQ(Of(sub, 2).blocked_by_delivery_id, 0);
  auto claimed = store_->ClaimDue(kNow + absl::Hours(2), 50, absl::Seconds(40), "w");
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, e1);
  EXPECT_EQ((*claimed)[0].attempts, 1) << "the backoff counts from the redelivery";
  EXPECT_EQ(Of(sub, 1).attempts, attempts_before + 1) << "the count goes on";
  Finish(e1, DeliveryStatus::kDead, kNow + absl::Hours(2));
  // Dismissed: the next one goes.
  auto dismissed = store_->Dismiss(e1, Request("x1"), kNow + absl::Hours(3));
  ASSERT_TRUE(dismissed.ok()) << dismissed.status();
  EXPECT_EQ(dismissed->status, DeliveryStatus::kDismissed);
  EXPECT_THAT(ClaimIds(kNow + absl::Hours(3)), ElementsAre(e2));
  EXPECT_EQ(Of(sub, 3).blocked_by_delivery_id, 0);
}

TEST_F(WebhookStoreTest, PausedSubscriptionsKeepTheirDeliveriesForTheResume) {
  const int64_t sub = Subscribe("c", 0, /*paused=*/true);
  DispatchEvents({{1, 7}});
  EXPECT_THAT(ClaimIds(kNow), ElementsAre());
  app::SubscriptionChange resume;
  resume.paused = false;
  ASSERT_TRUE(store_->UpdateSubscription(sub, resume, Request("resume"), kNow).ok());
  EXPECT_THAT(ClaimIds(kNow), ElementsAre(Of(sub, 1).id));
}

TEST_F(WebhookStoreTest, DeleteDropsUndeliveredDeliveriesAndKeepsHistory) {
  const int64_t sub = Subscribe("c");
  const int64_t other = Subscribe("c2");
  DispatchEvents({{1, 7}, {2, 7}, {3, 8}});
  const int64_t e1 = Of(sub, 1).id;
  ClaimIds(kNow);
  Finish(e1, DeliveryStatus::kDelivered, kNow);
  Finish(Of(sub, 3).id, DeliveryStatus::kDead, kNow);
  ASSERT_TRUE(store_->DeleteSubscription(sub, Request("del"), kNow).ok());
  app::DeliveryQuery q;
  q.subscription_id = sub;
  auto left = store_->ListDeliveries(q);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, e1);
  EXPECT_EQ(store_->GetSubscription(sub).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Redeliver(e1, Request("r"), kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  q.subscription_id = other;
  EXPECT_EQ(store_->ListDeliveries(q)->size(), 3u) << "other subscriptions keep theirs";
  // The deleted one no longer gets deliveries.
  ASSERT_TRUE(*store_->AcquireDispatch("a", kNow, absl::Seconds(30)));
  std::vector<int64_t> targets;
  ASSERT_TRUE(store_
                  ->Dispatch(
                      "a", 3, 4,
                      [&](const std::vector<app::DispatchTarget>& t) {
                        for (const auto& x : t) targets.push_back(x.subscription_id);
                        return absl::StatusOr<std::vector<app::NewDelivery>>(
                            std::vector<app::NewDelivery>{});
                      },
                      kNow)
                  .ok());
  EXPECT_THAT(targets, ElementsAre(other));
}

TEST_F(WebhookStoreTest, FinishedDeliveriesGoAfterTheirRetentionInBatches) {
  const int64_t sub = Subscribe("c");
  DispatchEvents({{1, 7}, {2, 8}, {3, 9}, {4, 10}});
  const int64_t e1 = Of(sub, 1).id, e2 = Of(sub, 2).id, e3 = Of(sub, 3).id, e4 = Of(sub, 4).id;
  ClaimIds(kNow);
  Finish(e1, DeliveryStatus::kDelivered, kNow);
  Finish(e2, DeliveryStatus::kDelivered, kNow + absl::Hours(1));
  Finish(e3, DeliveryStatus::kDead, kNow);
  ASSERT_TRUE(store_->Dismiss(e3, Request("x3"), kNow).ok());
  Finish(e4, DeliveryStatus::kPending, kNow);    // still PENDING: kept whatever its age
  const absl::Time far = kNow - absl::Hours(1);  // snapshots and requests: none that old
  // Nothing finished before kNow.
  EXPECT_EQ(*store_->Purge(far, far, kNow, 100), 0);
  // Bounded: one row per call at most, oldest first (e1 or e3, both at kNow).
  EXPECT_EQ(*store_->Purge(far, far, kNow + absl::Minutes(30), 1), 1);
  EXPECT_EQ(*store_->Purge(far, far, kNow + absl::Minutes(30), 1), 1);
  EXPECT_EQ(*store_->Purge(far, far, kNow + absl::Minutes(30), 1), 0);
  app::DeliveryQuery q;
  q.subscription_id = sub;
  auto left = store_->ListDeliveries(q);
  ASSERT_TRUE(left.ok()) << left.status();
  std::vector<int64_t> ids;
  for (const app::WebhookDelivery& d : *left) ids.push_back(d.id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre(e2, e4));
  EXPECT_EQ(*store_->Purge(far, far, kNow + absl::Hours(24), 100), 1);
  EXPECT_EQ(store_->ListDeliveries(q)->size(), 1u) << "the PENDING one stays";
}

TEST_F(WebhookStoreTest, ADeletedSubscriptionsLeftoversArePurged) {
  const int64_t sub = Subscribe("c");
  DispatchEvents({{1, 7}, {2, 7}, {3, 8}});
  // As if a DeleteSubscription stopped after its mark, before its drops.
  ASSERT_TRUE(
      pool_
          ->Run("mark",
                [&](sql::Connection& conn) {
                  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                  stmt->executeUpdate(absl::StrCat(
                      "UPDATE webhook_subscriptions SET deleted_at = NOW() WHERE id = ", sub));
                  return absl::OkStatus();
                })
          .ok());
  EXPECT_THAT(ClaimIds(kNow), ElementsAre()) << "never claimed once deleted";
  const absl::Time far = kNow - absl::Hours(1);
  EXPECT_EQ(*store_->Purge(far, far, far, 2), 2);
  EXPECT_EQ(*store_->Purge(far, far, far, 2), 1);
  EXPECT_EQ(
      Column(absl::StrCat("SELECT COUNT(*) FROM webhook_deliveries WHERE subscription_id = ", sub)),
      "0");
}

TEST_F(WebhookStoreTest, SaveKeepsTheOrderAsOfEachVersionWithEventsUntilRetention) {
  MysqlOrderRepository repo(*pool_, "00000000000000a1");
  repo.set_snapshot_encoder([](const app::OrderRecord& r) {
    return absl::StrCat("order ", r.order.id, " v", r.order.version, " ",
                        domain::ToString(r.order.certificates[0].status));
  });
  FakeClock clock(kNow);
  auto catalog = *app::ProductCatalog::Parse(R"({"products": [
    {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12],
     "max_additional_names": 5}]})");
  csr::OpenSslCsrParser parser;
  app::WorkflowApp workflow(repo, catalog, parser, clock);
  app::NewOrderInput input;
  input.external_order_id = "ext-1";
  input.product_id = "dv";
  input.period_months = 12;
  input.common_name = "www.example.com";
  input.csr = testing::MakeCsr("www.example.com");
  input.dcv_method = domain::DcvMethod::kDns;
  input.draft = true;
  app::Caller caller;
  caller.request_id = "create";
  caller.method = "CreateOrder";
  auto created = workflow.CreateOrder(input, caller);
  ASSERT_TRUE(created.ok()) << created.status();
  const int64_t order = created->order.id;
  clock.Advance(absl::Hours(1));
  caller.request_id = "cancel";
  caller.method = "CancelCertificate";
  auto cancelled = workflow.CancelCertificate(order, std::nullopt, "no longer needed", caller);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(*store_->GetSnapshot(order, 1), absl::StrCat("order ", order, " v1 OPEN"));
  EXPECT_EQ(*store_->GetSnapshot(order, 2), absl::StrCat("order ", order, " v2 REJECTED"));
  EXPECT_FALSE(store_->GetSnapshot(order, 3)->has_value());
  // Retention: only the older one goes.
  auto purged = store_->Purge(kNow + absl::Minutes(30), kNow, kNow, 100);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_FALSE(store_->GetSnapshot(order, 1)->has_value());
  EXPECT_TRUE(store_->GetSnapshot(order, 2)->has_value());
}

}  // namespace
}  // namespace sslpanel::workflow::storage
