#include "workflow-service/src/domain/webhook_delivery.h"

#include "gtest/gtest.h"

namespace sslpanel::workflow::domain {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

RetryPolicy Policy() { return {absl::Seconds(5), absl::Minutes(10), absl::Hours(24)}; }

TEST(WebhookBackoff, DoublesFromMinAndCapsAtMaxWithEqualJitter) {
  struct Row {
    int attempts;
    double jitter;
    absl::Duration want;
  };
  const Row rows[] = {
      {1, 1.0, absl::Seconds(5)},     {1, 0.0, absl::Seconds(2.5)},
      {2, 1.0, absl::Seconds(10)},    {3, 1.0, absl::Seconds(20)},
      {4, 0.5, absl::Seconds(30)},    {7, 1.0, absl::Seconds(320)},
      {8, 1.0, absl::Minutes(10)},    {8, 0.0, absl::Minutes(5)},
      {1000, 1.0, absl::Minutes(10)}, {1000, 0.0, absl::Minutes(5)},
      {0, 1.0, absl::Seconds(5)},     {1, 7.0, absl::Seconds(5)},  // jitter clamped
      {1, -1.0, absl::Seconds(2.5)},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(Backoff(r.attempts, Policy(), r.jitter), r.want)
        << "attempts " << r.attempts << " jitter " << r.jitter;
  }
}

TEST(WebhookDecideAfterAttempt, Table) {
  const absl::Time deadline = kNow + absl::Hours(1);
  struct Row {
    const char* name;
    int http_status;
    int attempts;
    absl::Time now;
    DeliveryStatus status;
    absl::Time next;
  };
  const Row rows[] = {
      {"200 delivers", 200, 1, kNow, DeliveryStatus::kDelivered, kNow},
      {"204 delivers", 204, 3, kNow, DeliveryStatus::kDelivered, kNow},
      {"299 delivers", 299, 1, kNow, DeliveryStatus::kDelivered, kNow},
      {"2xx after deadline still delivers", 200, 9, deadline + absl::Hours(1),
       DeliveryStatus::kDelivered, deadline + absl::Hours(1)},
      {"300 retries", 300, 1, kNow, DeliveryStatus::kPending, kNow + absl::Seconds(5)},
      {"410 retries", 410, 2, kNow, DeliveryStatus::kPending, kNow + absl::Seconds(10)},
      {"500 retries", 500, 1, kNow, DeliveryStatus::kPending, kNow + absl::Seconds(5)},
      {"no answer retries", 0, 1, kNow, DeliveryStatus::kPending, kNow + absl::Seconds(5)},
      {"retry never after the deadline", 500, 20, deadline - absl::Seconds(1),
       DeliveryStatus::kPending, deadline},
      {"failure at the deadline is dead", 500, 5, deadline, DeliveryStatus::kDead, deadline},
      {"failure after the deadline is dead", 0, 5, deadline + absl::Seconds(1),
       DeliveryStatus::kDead, deadline + absl::Seconds(1)},
  };
  for (const Row& r : rows) {
    const AfterAttempt got =
        DecideAfterAttempt(r.http_status, r.attempts, deadline, r.now, Policy(), /*jitter=*/1.0);
    EXPECT_EQ(got.status, r.status) << r.name;
    if (got.status != DeliveryStatus::kDelivered) {
      EXPECT_EQ(got.next_attempt_at, r.next) << r.name;
    }
  }
}

TEST(WebhookDeadline, SetAtFirstAttemptAndKeptAfter) {
  EXPECT_EQ(DeadlineFor(std::nullopt, kNow, Policy()), kNow + absl::Hours(24));
  EXPECT_EQ(DeadlineFor(kNow + absl::Minutes(3), kNow + absl::Hours(5), Policy()),
            kNow + absl::Minutes(3));
}

TEST(WebhookOrdering, DueOnlyBehindDeliveredOrDismissed) {
  using S = DeliveryStatus;
  struct Row {
    std::vector<EarlierDelivery> earlier;
    bool may;
    int64_t blocked_by;
  };
  const Row rows[] = {
      {{}, true, 0},
      {{{1, S::kDelivered}}, true, 0},
      {{{1, S::kDismissed}, {2, S::kDelivered}}, true, 0},
      {{{1, S::kPending}}, false, 0},  // in order: waits, but nothing dead
      {{{1, S::kDead}}, false, 1},
      {{{1, S::kDelivered}, {2, S::kDead}, {3, S::kDead}}, false, 2},
      {{{1, S::kDead}, {2, S::kPending}}, false, 1},
      {{{1, S::kDismissed}, {2, S::kPending}}, false, 0},
  };
  for (size_t i = 0; i < std::size(rows); ++i) {
    EXPECT_EQ(MayAttempt(rows[i].earlier), rows[i].may) << "row " << i;
    EXPECT_EQ(BlockedBy(rows[i].earlier), rows[i].blocked_by) << "row " << i;
  }
}

TEST(WebhookDismiss, OnlyDead) {
  EXPECT_TRUE(CheckDismiss(DeliveryStatus::kDead).ok());
  for (DeliveryStatus s :
       {DeliveryStatus::kPending, DeliveryStatus::kDelivered, DeliveryStatus::kDismissed}) {
    const absl::Status status = CheckDismiss(s);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(status.message().find(ToString(s)), absl::string_view::npos) << status;
  }
}

TEST(WebhookDeliveryStatus, ParsesWhatItPrints) {
  for (DeliveryStatus s : {DeliveryStatus::kPending, DeliveryStatus::kDelivered,
                           DeliveryStatus::kDead, DeliveryStatus::kDismissed}) {
    DeliveryStatus parsed = DeliveryStatus::kPending;
    ASSERT_TRUE(Parse(ToString(s), &parsed));
    EXPECT_EQ(parsed, s);
  }
  DeliveryStatus parsed;
  EXPECT_FALSE(Parse("LOST", &parsed));
}

}  // namespace
}  // namespace sslpanel::workflow::domain
