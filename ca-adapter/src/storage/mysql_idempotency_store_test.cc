// The idempotency store against a real MariaDB database: the claim rules,
// lease take-over, stale attempts, binary-safe answers, and many callers
// racing for one new key.
#include "ca-adapter/src/storage/mysql_idempotency_store.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "ca-adapter/src/storage/migrations.h"
#include "common/mysql/migrator.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::storage {
namespace {

using app::Claim;
using app::IdempotencyRecord;
using app::RecordState;

class MysqlIdempotencyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = sslpanel::testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    mysql::MysqlConfig config = database_->config();
    config.pool_size = 8;
    auto pool = mysql::ConnectionPool::Create(config);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, CaAdapterMigrations()).ok());
    store_ = std::make_unique<MysqlIdempotencyStore>(*pool_);
  }

  IdempotencyRecord Proposed(const std::string& key, const std::string& fingerprint = "fp") {
    IdempotencyRecord record;
    record.key = key;
    record.operation = "SubmitOrder";
    record.fingerprint = fingerprint;
    record.request = std::string("req\0uest", 8);
    return record;
  }

  const absl::Time t0_ = absl::FromUnixSeconds(1'800'000'000);
  const absl::Duration lease_ = absl::Seconds(90);
  std::unique_ptr<sslpanel::testing::TestDatabase> database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<MysqlIdempotencyStore> store_;
};

TEST_F(MysqlIdempotencyStoreTest, ClaimsOnceThenReportsTheStoredRecord) {
  auto first = store_->ClaimKey(Proposed("k"), t0_, lease_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->kind, Claim::Kind::kNew);
  EXPECT_EQ(first->record.attempt, 1);
  auto during = store_->ClaimKey(Proposed("k"), t0_ + absl::Seconds(1), lease_);
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->kind, Claim::Kind::kExisting);
  EXPECT_EQ(during->record.state, RecordState::kInProgress);
  EXPECT_EQ(during->record.request, std::string("req\0uest", 8));

  IdempotencyRecord done = first->record;
  done.state = RecordState::kSucceeded;
  done.response = std::string("\0\x01answer\xff", 9);
  done.ca_order_id = "sbx-1";
  ASSERT_TRUE(store_->Finish(done, t0_ + absl::Seconds(2)).ok());
  auto stored = store_->Get("k");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->state, RecordState::kSucceeded);
  EXPECT_EQ((*stored)->response, std::string("\0\x01answer\xff", 9));
  EXPECT_EQ((*stored)->ca_order_id, "sbx-1");
}

TEST_F(MysqlIdempotencyStoreTest, AnExpiredLeaseIsTakenOverAndTheOldAttemptCannotFinish) {
  const absl::Duration short_lease = absl::Milliseconds(300);
  auto first = store_->ClaimKey(Proposed("k"), t0_, short_lease);
  ASSERT_TRUE(first.ok());
  auto during = store_->ClaimKey(Proposed("k"), t0_, lease_);
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->kind, Claim::Kind::kExisting) << "the lease still runs";
  absl::SleepFor(short_lease + absl::Milliseconds(100));
  // A different request with the key never takes it over.
  auto other = store_->ClaimKey(Proposed("k", "other"), t0_, lease_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->kind, Claim::Kind::kExisting);
  auto resumed = store_->ClaimKey(Proposed("k"), t0_, lease_);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->kind, Claim::Kind::kResumed);
  EXPECT_EQ(resumed->record.attempt, 2);
  IdempotencyRecord late = first->record;
  late.state = RecordState::kSucceeded;
  EXPECT_EQ(store_->Finish(late, t0_).code(), absl::StatusCode::kAborted);
  // Release ends the lease at once: the next claim resumes without waiting.
  ASSERT_TRUE(store_->Release("k", 2, t0_).ok());
  auto again = store_->ClaimKey(Proposed("k"), t0_, lease_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, Claim::Kind::kResumed);
  EXPECT_EQ(again->record.attempt, 3);
}

// Replicas' clocks drift apart; the database's is the one they share. A
// replica an hour ahead must not take over a call another replica is still
// running, and one an hour behind must not hand out a lease that is over
// before it starts.
TEST_F(MysqlIdempotencyStoreTest, LeasesFollowTheDatabaseClockNotTheReplicas) {
  const absl::Time real_now = absl::Now();
  ASSERT_TRUE(store_->ClaimKey(Proposed("running"), real_now, lease_).ok());
  auto ahead = store_->ClaimKey(Proposed("running"), real_now + absl::Hours(1), lease_);
  ASSERT_TRUE(ahead.ok());
  EXPECT_EQ(ahead->kind, Claim::Kind::kExisting)
      << "a replica whose clock runs ahead took over a running call";

  auto behind = store_->ClaimKey(Proposed("behind"), real_now - absl::Hours(1), lease_);
  ASSERT_TRUE(behind.ok());
  EXPECT_EQ(behind->kind, Claim::Kind::kNew);
  EXPECT_GT(behind->record.lease_until, real_now) << "the lease runs from the database's now";
  auto right = store_->ClaimKey(Proposed("behind"), real_now, lease_);
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->kind, Claim::Kind::kExisting)
      << "a lease granted by a replica whose clock runs behind was already over";

  // Released by a replica whose clock runs ahead: over at once all the same.
  ASSERT_TRUE(store_->Release("behind", 1, real_now + absl::Hours(1)).ok());
  auto resumed = store_->ClaimKey(Proposed("behind"), real_now - absl::Hours(1), lease_);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->kind, Claim::Kind::kResumed);
}

TEST_F(MysqlIdempotencyStoreTest, ClaimForCancelTombstonesAnUnknownKey) {
  auto tombstone = store_->ClaimForCancel("s", "SubmitOrder", t0_, lease_);
  ASSERT_TRUE(tombstone.ok());
  EXPECT_EQ(tombstone->kind, Claim::Kind::kTombstoned);
  auto late = store_->ClaimKey(Proposed("s"), t0_ + absl::Seconds(1), lease_);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->kind, Claim::Kind::kExisting);
  EXPECT_EQ(late->record.state, RecordState::kCancelled);
}

TEST_F(MysqlIdempotencyStoreTest, ManyCallersRacingForANewKeyYieldOneOwner) {
  constexpr int kCallers = 8;
  std::atomic<int> owners{0}, others{0}, errors{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      auto claim = store_->ClaimKey(Proposed("race"), t0_, lease_);
      if (!claim.ok()) {
        ++errors;
      } else if (claim->kind == Claim::Kind::kNew) {
        ++owners;
      } else {
        ++others;
      }
    });
  }
  for (std::thread& caller : callers) {
    caller.join();
  }
  EXPECT_EQ(owners.load(), 1);
  EXPECT_EQ(owners.load() + others.load() + errors.load(), kCallers);
  EXPECT_EQ(errors.load(), 0);
}

}  // namespace
}  // namespace sslpanel::ca::storage
