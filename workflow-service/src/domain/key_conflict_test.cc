// The CA_KEY_CONFLICT hold: an adapter said the submission's idempotency key
// belongs to another request. Held visibly, released by submitting again
// (a new submission, so a new key) or by cancelling.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/domain/test_orders.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::MustApply;
using ::testing::Not;

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);

command::CaKeyConflict Conflict(int submission) {
  return command::CaKeyConflict{submission, "key wf-x-submit-1-1 used for another request"};
}

TEST(KeyConflict, HoldsTheSubmissionWithTheReasonAndOffersSubmitAndCancel) {
  const Order awaiting = testing::NewDvOrder(/*draft=*/false, kT0);
  auto held = Decide(awaiting, 0, Conflict(1), testing::At(kT0 + absl::Minutes(1)));
  ASSERT_TRUE(held.ok()) << held.status();
  const Certificate& c = held->order.certificates[0];
  EXPECT_EQ(c.status, CertificateStatus::kOpen);
  EXPECT_EQ(c.pending, PendingOperation::kRequest);
  EXPECT_EQ(c.hold, HoldReason::kCaKeyConflict);
  EXPECT_THAT(c.last_error, HasSubstr("used for another request"));
  ASSERT_EQ(held->events.size(), 1u);
  EXPECT_EQ(held->events[0].type, "CA_KEY_CONFLICT");
  EXPECT_THAT(held->events[0].reason, HasSubstr("wf-x-submit-1-1"));
  EXPECT_TRUE(held->intents.empty()) << "nothing is sent while held";
  const std::vector<Action> actions =
      AllowedActions(held->order, 0, ProductRules{}, kT0 + absl::Minutes(1));
  EXPECT_THAT(actions, Contains(Action::kSubmit));
  EXPECT_THAT(actions, Contains(Action::kCancel));
  EXPECT_THAT(actions, Not(Contains(Action::kOverridePrevalidation)));
}

TEST(KeyConflict, SubmittingAgainStartsANewSubmissionSoTheKeyChanges) {
  const Order held = MustApply(testing::NewDvOrder(false, kT0), 0, Conflict(1), kT0);
  auto again = Decide(held, 0, command::Submit{}, testing::At(kT0 + absl::Minutes(5)));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->order.certificates[0].submission, 2);
  EXPECT_EQ(again->order.certificates[0].hold, HoldReason::kAwaitingCa);
  EXPECT_EQ(again->order.certificates[0].last_error, "");
  ASSERT_EQ(again->intents.size(), 1u);
  EXPECT_EQ(again->intents[0].kind, IntentKind::kSubmitToCa);
  EXPECT_EQ(again->intents[0].submission, 2);
}

TEST(KeyConflict, CancellingAbandonsNothingBecauseTheKeyIsAnotherRequests) {
  const Order held = MustApply(testing::NewDvOrder(false, kT0), 0, Conflict(1), kT0);
  auto cancelled = Decide(held, 0, command::Cancel{"customer"}, testing::At(kT0));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->order.certificates[0].status, CertificateStatus::kRejected);
  EXPECT_TRUE(cancelled->intents.empty());
}

TEST(KeyConflict, AnAnswerForAnOlderSubmissionOrWithNothingOnItsWayIsRefused) {
  const Order awaiting = testing::NewDvOrder(false, kT0);
  auto stale = Decide(awaiting, 0, Conflict(0), testing::At(kT0));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("submission 0"));
  const Order draft = testing::NewDvOrder(/*draft=*/true, kT0);
  auto nothing = Decide(draft, 0, Conflict(0), testing::At(kT0));
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(nothing.status().message(), HasSubstr("record CA key conflict"));
}

}  // namespace
}  // namespace sslpanel::workflow::domain
