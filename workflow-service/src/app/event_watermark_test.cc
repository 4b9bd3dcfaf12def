// The watermark logic against a fake database: committed ids, the open
// writers, and whether the listing of them is available or stale.
#include "workflow-service/src/app/event_watermark.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);

class FakeSource final : public CommitSource {
 public:
  absl::StatusOr<std::vector<VisibleId>> IdsAfter(int64_t after, int limit) override {
    ++reads;
    std::vector<VisibleId> ids;
    for (auto it = committed.upper_bound(after);
         it != committed.end() && static_cast<int>(ids.size()) < limit; ++it) {
      ids.push_back(VisibleId{it->first, it->second});
    }
    return ids;
  }
  absl::StatusOr<int64_t> MaxId() override {
    return committed.empty() ? 0 : committed.rbegin()->first;
  }
  absl::StatusOr<std::optional<std::set<uint64_t>>> OpenWriters() override {
    ++listings;
    if (!can_list) {
      return absl::PermissionDeniedError("no PROCESS privilege");
    }
    if (stale) {
      return std::optional<std::set<uint64_t>>();
    }
    std::set<uint64_t> open;
    for (const auto& [trx, id] : writers) {
      open.insert(trx);
    }
    return std::optional<std::set<uint64_t>>(open);
  }

  void Commit(int64_t id, absl::Time at = kT0) { committed[id] = at; }
  // Transaction `trx` took `id` and is still open.
  void Open(uint64_t trx, int64_t id) { writers[trx] = id; }
  void End(uint64_t trx, bool commit) {
    if (commit) {
      Commit(writers[trx]);
    }
    writers.erase(trx);
  }

  std::map<int64_t, absl::Time> committed;
  std::map<uint64_t, int64_t> writers;
  bool can_list = true;
  bool stale = false;
  int reads = 0;
  int listings = 0;
};

int64_t StepTo(WatermarkFollower& follower, absl::Time now) {
  auto result = follower.Step(now);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? result->watermark : -1;
}

TEST(EventWatermark, StartsAtTheHighestIdAndFollowsContiguousIds) {
  FakeSource source;
  for (int64_t id = 1; id <= 5; ++id) source.Commit(id);
  WatermarkFollower follower(source, {});
  EXPECT_EQ(StepTo(follower, kT0), 5);
  source.Commit(6);
  source.Commit(7);
  EXPECT_EQ(StepTo(follower, kT0), 7);
  EXPECT_EQ(StepTo(follower, kT0), 7);
}

TEST(EventWatermark, EmptyTableStartsAtZero) {
  FakeSource source;
  WatermarkFollower follower(source, {});
  EXPECT_EQ(StepTo(follower, kT0), 0);
  source.Commit(1);
  EXPECT_EQ(StepTo(follower, kT0), 1);
}

TEST(EventWatermark, AHoleWhoseWriterIsOpenHoldsTheWatermarkUntilItCommits) {
  FakeSource source;
  source.Commit(1);
  WatermarkFollower follower(source, {});
  ASSERT_EQ(StepTo(follower, kT0), 1);
  source.Open(100, 2);  // took id 2, not committed
  source.Commit(3);     // a later id committed first
  for (int i = 0; i < 5; ++i) {
    auto step = follower.Step(kT0 + absl::Seconds(i));
    ASSERT_TRUE(step.ok());
    EXPECT_EQ(step->watermark, 1);
    EXPECT_TRUE(step->gap_open);
    EXPECT_THAT(step->skipped, IsEmpty());
  }
  source.End(100, /*commit=*/true);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Seconds(6)), 3);
}

TEST(EventWatermark, AHoleOfARolledBackTransactionIsProvenAbsent) {
  FakeSource source;
  source.Commit(1);
  WatermarkFollower follower(source, {});
  ASSERT_EQ(StepTo(follower, kT0), 1);
  source.Open(100, 2);
  source.Commit(3);
  EXPECT_EQ(StepTo(follower, kT0), 1);
  source.End(100, /*commit=*/false);
  auto step = follower.Step(kT0 + absl::Milliseconds(200));
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 3);
  EXPECT_FALSE(step->gap_open);
  EXPECT_THAT(step->skipped, IsEmpty());  // proven, not skipped
}

TEST(EventWatermark, AHoleWithNoWriterOpenIsSettledAtOnce) {
  FakeSource source;
  source.Commit(1);
  WatermarkFollower follower(source, {});
  ASSERT_EQ(StepTo(follower, kT0), 1);
  source.Commit(3);  // 2 was rolled back before we looked
  EXPECT_EQ(StepTo(follower, kT0), 3);
}

TEST(EventWatermark, WritersThatStartAfterTheListingDoNotHoldTheProof) {
  FakeSource source;
  source.Commit(1);
  WatermarkFollower follower(source, {});
  ASSERT_EQ(StepTo(follower, kT0), 1);
  source.Open(100, 2);
  source.Commit(3);
  ASSERT_EQ(StepTo(follower, kT0), 1);  // listing: {100}
  source.Open(101, 4);                  // a newer writer, with a higher id
  source.End(100, /*commit=*/false);
  EXPECT_EQ(StepTo(follower, kT0), 3);  // 4 is above the proof's bound
  source.Commit(5);
  EXPECT_EQ(StepTo(follower, kT0), 3);  // 4 is a hole now, its writer open
  source.End(101, /*commit=*/true);
  EXPECT_EQ(StepTo(follower, kT0), 5);
}

TEST(EventWatermark, AStaleListingProvesNothing) {
  FakeSource source;
  source.Commit(1);
  WatermarkFollower follower(source, {});
  ASSERT_EQ(StepTo(follower, kT0), 1);
  source.Commit(3);  // 2 missing; no writer open, but the listing is old
  source.stale = true;
  EXPECT_EQ(StepTo(follower, kT0), 1);
  EXPECT_EQ(StepTo(follower, kT0), 1);
  source.stale = false;
  EXPECT_EQ(StepTo(follower, kT0), 3);
}

TEST(EventWatermark, AWriterOpenPastTheGapTimeoutIsSkippedAndReported) {
  FakeSource source;
  source.Commit(1);
  WatermarkOptions options;
  options.gap_timeout = absl::Minutes(3);
  WatermarkFollower follower(source, options);
  ASSERT_EQ(StepTo(follower, kT0), 1);
  source.Open(100, 2);
  source.Commit(3);
  source.Commit(4);
  EXPECT_EQ(StepTo(follower, kT0), 1);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Minutes(2)), 1);
  auto step = follower.Step(kT0 + absl::Minutes(3));
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 4);
  ASSERT_EQ(step->skipped.size(), 1u);
  EXPECT_EQ(step->skipped[0].from, 2);
  EXPECT_EQ(step->skipped[0].to, 2);
  EXPECT_EQ(step->skipped[0].missing_for, absl::Minutes(3));
  // The late commit is past the watermark: it never shows.
  source.End(100, /*commit=*/true);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Minutes(4)), 4);
}

TEST(EventWatermark, WithoutAListingHolesWaitForTheTimeout) {
  FakeSource source;
  source.can_list = false;
  source.Commit(1, kT0);
  WatermarkFollower follower(source, {});
  ASSERT_EQ(StepTo(follower, kT0), 1);
  EXPECT_FALSE(follower.can_prove());
  source.Commit(3, kT0 + absl::Seconds(1));  // 2 rolled back (or still open: we cannot tell)
  EXPECT_EQ(StepTo(follower, kT0 + absl::Seconds(1)), 1);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Minutes(2)), 1);
  source.Commit(2);  // committed within the timeout: delivered
  EXPECT_EQ(StepTo(follower, kT0 + absl::Minutes(2)), 3);
  source.Commit(5, kT0 + absl::Minutes(2));
  EXPECT_EQ(StepTo(follower, kT0 + absl::Minutes(2)), 3);
  auto step = follower.Step(kT0 + absl::Minutes(5) + absl::Seconds(1));
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 5);
  ASSERT_EQ(step->skipped.size(), 1u);
  EXPECT_EQ(step->skipped[0].from, 4);
}

TEST(EventWatermark, TheStartWaitsForTheWritersOpenThen) {
  FakeSource source;
  source.Commit(1);
  source.Open(100, 2);
  source.Commit(3);
  WatermarkFollower follower(source, {});
  auto step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(follower.started());
  EXPECT_TRUE(step->gap_open);
  source.End(100, /*commit=*/true);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(100)), 3);
  EXPECT_TRUE(follower.started());
}

TEST(EventWatermark, AStartThatCannotBeProvenBeginsBelowTheHighestAndTimesHolesByTheirRows) {
  FakeSource source;
  source.can_list = false;
  for (int64_t id = 1; id <= 2000; ++id) {
    if (id != 1500 && id != 1990) {
      // 1500: a hole between rows recorded an hour ago; 1990: a fresh one.
      source.Commit(id, id < 1990 ? kT0 - absl::Hours(1) : kT0);
    }
  }
  WatermarkOptions options;
  options.start_window = 1000;
  WatermarkFollower follower(source, options);
  auto step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 1989);  // the old hole is skipped, the fresh one waits
  ASSERT_EQ(step->skipped.size(), 1u);
  EXPECT_EQ(step->skipped[0].from, 1500);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Minutes(3)), 2000);
}

TEST(EventWatermark, AStartHeldTooLongFallsBackToTheWindow) {
  FakeSource source;
  for (int64_t id = 1; id <= 10; ++id) source.Commit(id);
  source.Open(100, 11);  // a long transaction, unrelated to the events below
  WatermarkOptions options;
  options.start_window = 3;
  options.start_timeout = absl::Seconds(10);
  WatermarkFollower follower(source, options);
  StepTo(follower, kT0);
  EXPECT_FALSE(follower.started());
  auto fallback = follower.Step(kT0 + absl::Seconds(10));
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->watermark, 10);  // 8..10 read again
  EXPECT_TRUE(follower.started());
  // What was passed over unproven is reported, once.
  ASSERT_TRUE(fallback->unproven_start.has_value());
  EXPECT_EQ(fallback->unproven_start->through, 7);
  EXPECT_EQ(fallback->unproven_start->highest, 10);
  EXPECT_TRUE(fallback->unproven_start->could_list);
  EXPECT_EQ(fallback->unproven_start->waited, absl::Seconds(10));
  auto later = follower.Step(kT0 + absl::Seconds(11));
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->unproven_start.has_value());
}

TEST(EventWatermark, AStartWithoutAListingReportsTheRangeItPassesOver) {
  FakeSource source;
  source.can_list = false;
  for (int64_t id = 1; id <= 10; ++id) source.Commit(id);
  WatermarkOptions options;
  options.start_window = 4;
  WatermarkFollower follower(source, options);
  auto step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(step->unproven_start.has_value());
  EXPECT_EQ(step->unproven_start->through, 6);
  EXPECT_FALSE(step->unproven_start->could_list);
}

TEST(EventWatermark, AProvenStartReportsNothing) {
  FakeSource source;
  for (int64_t id = 1; id <= 10; ++id) source.Commit(id);
  WatermarkFollower follower(source, {});
  auto step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 10);
  EXPECT_FALSE(step->unproven_start.has_value());
}

TEST(EventWatermark, AHoleIsListedOnlyOnceItOutlivedTheProofDelay) {
  FakeSource source;
  source.Commit(1);
  WatermarkOptions options;
  options.proof_delay = absl::Milliseconds(100);
  WatermarkFollower follower(source, options);
  ASSERT_EQ(StepTo(follower, kT0), 1);
  const int listings = source.listings;
  // 2 is taken by a transaction that commits within milliseconds: the hole
  // closes before anybody lists the open transactions.
  source.Open(100, 2);
  source.Commit(3);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(1)), 1);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(50)), 1);
  EXPECT_EQ(source.listings, listings);
  source.End(100, /*commit=*/true);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(60)), 3);
  EXPECT_EQ(source.listings, listings);
  // A hole that stays: listed once it is older than the delay, and proven.
  source.Open(101, 4);
  source.Commit(5);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(200)), 3);
  EXPECT_EQ(source.listings, listings);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(310)), 3);  // listed: 101 open
  EXPECT_EQ(source.listings, listings + 1);
  source.End(101, /*commit=*/false);
  EXPECT_EQ(StepTo(follower, kT0 + absl::Milliseconds(420)), 5);  // proven absent
}

TEST(EventWatermark, ReadsInBatchesOfTheReadLimit) {
  FakeSource source;
  WatermarkOptions options;
  options.read_limit = 10;
  WatermarkFollower follower(source, options);
  ASSERT_EQ(StepTo(follower, kT0), 0);
  for (int64_t id = 1; id <= 25; ++id) source.Commit(id);
  EXPECT_EQ(StepTo(follower, kT0), 10);
  EXPECT_EQ(StepTo(follower, kT0), 20);
  EXPECT_EQ(StepTo(follower, kT0), 25);
}

TEST(EventWatermark, AFullReadThatMovedTheWatermarkSaysItIsBehind) {
  FakeSource source;
  WatermarkOptions options;
  options.read_limit = 3;
  WatermarkFollower follower(source, options);
  ASSERT_EQ(StepTo(follower, kT0), 0);
  for (int64_t id = 1; id <= 7; ++id) source.Commit(id);
  auto step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 3);
  EXPECT_TRUE(step->behind);
  step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 6);
  EXPECT_TRUE(step->behind);
  step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 7);
  EXPECT_FALSE(step->behind);
}

TEST(EventWatermark, AFullReadHeldAtAHoleIsNotBehind) {
  // Reading the same ids again soon would not move it: only the poll
  // interval (the proof of the hole) does.
  FakeSource source;
  WatermarkOptions options;
  options.read_limit = 3;
  WatermarkFollower follower(source, options);
  ASSERT_EQ(StepTo(follower, kT0), 0);
  source.Open(100, 1);
  for (int64_t id = 2; id <= 7; ++id) source.Commit(id);
  auto step = follower.Step(kT0);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->watermark, 0);
  EXPECT_FALSE(step->behind);
  EXPECT_TRUE(step->gap_open);
}

TEST(EventWatermark, SourceErrorsLeaveTheWatermark) {
  class Failing final : public CommitSource {
   public:
    absl::StatusOr<std::vector<VisibleId>> IdsAfter(int64_t, int) override {
      return absl::UnavailableError("down");
    }
    absl::StatusOr<int64_t> MaxId() override { return 7; }
    absl::StatusOr<std::optional<std::set<uint64_t>>> OpenWriters() override {
      return std::optional<std::set<uint64_t>>(std::set<uint64_t>{});
    }
  } source;
  WatermarkFollower follower(source, {});
  auto step = follower.Step(kT0);
  EXPECT_EQ(step.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(follower.watermark(), 7);
}

}  // namespace
}  // namespace sslpanel::workflow::app
