// The original panel description (shared/seeds), scenario by scenario, in its
// own words. Each test is one numbered paragraph of the seed.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/picture.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/domain/test_orders.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Issued;
using testing::MustApply;

const absl::Time kBought = absl::FromUnixSeconds(1780000000);
absl::Time Later(int minutes) { return kBought + absl::Minutes(minutes); }
const absl::Time kNotBefore = Later(30);
const absl::Time kNotAfter = kNotBefore + absl::Hours(24 * 365);

// A DV order taken to ACTIVE, with every event collected.
Order ActiveOrder(std::vector<Event>* events) {
  Order order = testing::NewDvOrder(false, kBought);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Later(1), events);
  return MustApply(order, 0, command::CaIssued{Issued(kNotBefore, kNotAfter), "issued"}, Later(31),
                   events);
}

TEST(Seed, S01_OncePurchasedTheCertificateHasStatusOpenAndTheCursorShowsTheDate) {
  auto decision = CreateOrder(testing::DvOrderData(), /*draft=*/true, testing::At(kBought));
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->order.certificates[0].status, CertificateStatus::kOpen);
  const std::vector<StatusTime> history = StatusHistory(decision->events);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, CertificateStatus::kOpen);
  EXPECT_EQ(history[0].entered_at, kBought);
  EXPECT_EQ(ResellerCodeOf(decision->order, kBought), ResellerCode::kPai);
}

TEST(Seed, S02_FailedPrevalidationOfDutchOvNlOrderStaysOpenWithRequestedArrowMarked) {
  Order order = testing::NewDutchOvOrder(kBought);
  ASSERT_EQ(order.certificates[0].hold, HoldReason::kPrevalidationRunning);
  std::vector<Event> events;
  order = MustApply(
      order, 0,
      command::RecordPrevalidation{1, PrevalidationOutcome::kFail, "KvK name does not match"},
      Later(1), &events);
  const Certificate& c = order.certificates[0];
  EXPECT_EQ(c.status, CertificateStatus::kOpen);
  EXPECT_EQ(c.pending, PendingOperation::kRequest);
  EXPECT_EQ(c.hold, HoldReason::kPrevalidationFailed);
  EXPECT_EQ(events.back().reason, "KvK name does not match");  // results displayed below
  EXPECT_EQ(ResellerCodeOf(order, Later(1)), ResellerCode::kPai);
}

TEST(Seed, S03_WithoutPrevalidationTheRequestGoesToTheCaAndTheDateOfRequestedIsKept) {
  std::vector<Event> events;
  Order order = testing::NewDvOrder(false, kBought);
  ASSERT_EQ(order.certificates[0].pending, PendingOperation::kRequest);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Later(1), &events);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRequested);
  EXPECT_EQ(StatusHistory(events).back().entered_at, Later(1));  // when it was requested
  EXPECT_EQ(ResellerCodeOf(order, Later(1)), ResellerCode::kReq);
}

TEST(Seed, S04_CancellationFromRequestedMarksTheCancelArrowAndIsRejInOpenprovider) {
  Order order = testing::NewDvOrder(false, kBought);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Later(1));
  std::vector<Event> events;
  auto decision = Decide(order, 0, command::Cancel{"customer request"}, testing::At(Later(2)));
  ASSERT_TRUE(decision.ok());
  const Certificate& c = decision->order.certificates[0];
  EXPECT_EQ(c.status, CertificateStatus::kRequested);
  EXPECT_EQ(c.pending, PendingOperation::kCancel);
  ASSERT_EQ(decision->intents.size(), 1u);
  EXPECT_EQ(decision->intents[0].kind, IntentKind::kCancelAtCa);  // sent to the CA
  EXPECT_EQ(ResellerCodeOf(decision->order, Later(2)), ResellerCode::kRej);
}

TEST(Seed, S05_CaConfirmsCancellationRejectedFaiOrderClosedNoActions) {
  Order order = testing::NewDvOrder(false, kBought);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Later(1));
  order = MustApply(order, 0, command::Cancel{"customer request"}, Later(2));
  order = MustApply(order, 0, command::CaCancelled{"cancelled"}, Later(3));
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRejected);
  EXPECT_EQ(ResellerCodeOf(order, Later(3)), ResellerCode::kFai);
  EXPECT_EQ(order.status, OrderStatus::kClosed);
  EXPECT_THAT(AllowedActions(order, ProductRules{}, Later(3)), IsEmpty());
}

TEST(Seed, S06_ActivatedByTheCaWithActivationAndExpirationDates) {
  std::vector<Event> events;
  const Order order = ActiveOrder(&events);
  const Certificate& c = order.certificates[0];
  EXPECT_EQ(c.status, CertificateStatus::kActive);
  EXPECT_EQ(c.not_before, kNotBefore);
  EXPECT_EQ(c.not_after, kNotAfter);
  EXPECT_EQ(ResellerCodeOf(order, Later(31)), ResellerCode::kAct);
}

TEST(Seed, S07_CancellationFromActiveSendsCancelToTheCaAndMarksTheCancelArrow) {
  const Order active = ActiveOrder(nullptr);
  auto decision = Decide(active, 0, command::Cancel{"key leaked"}, testing::At(Later(40)));
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(decision->order.certificates[0].pending, PendingOperation::kCancel);
  EXPECT_EQ(decision->intents[0].kind, IntentKind::kRevokeAtCa);
  EXPECT_EQ(ResellerCodeOf(decision->order, Later(40)), ResellerCode::kRej);
}

TEST(Seed, S08_OnceCancelledInTheCaItMovesToRevokedFai) {
  Order order = MustApply(ActiveOrder(nullptr), 0, command::Cancel{"key leaked"}, Later(40));
  order = MustApply(order, 0, command::CaCancelled{"revoked"}, Later(41));
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRevoked);
  EXPECT_EQ(ResellerCodeOf(order, Later(41)), ResellerCode::kFai);
  EXPECT_EQ(order.status, OrderStatus::kClosed);
}

TEST(Seed, S09_OnceItExpiresItMovesToExpiredStampedWithTheExpirationDate) {
  std::vector<Event> events;
  const Order active = ActiveOrder(nullptr);
  const absl::Time noticed = kNotAfter + absl::Hours(3);  // the sweeper was late
  const Order order = MustApply(active, -1, command::ExpireDue{}, noticed, &events);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kExpired);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at, kNotAfter);
  EXPECT_EQ(ResellerCodeOf(order, noticed), ResellerCode::kExp);
}

TEST(Seed, S10_ReissueCreatesASecondCertificateInTheChainAndTheActiveOneStays) {
  Order order = ActiveOrder(nullptr);
  order = MustApply(order, -1, command::Reissue{"CSR-2", {}, {}}, Later(60));
  order = MustApply(order, 1, command::CaAccepted{1, "CA-2", "pending"}, Later(61));
  // In general there is a current Requested certificate and a previous Active one.
  ASSERT_EQ(order.certificates.size(), 2u);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(order.certificates[1].kind, CertificateKind::kReissue);
  EXPECT_EQ(order.certificates[1].status, CertificateStatus::kRequested);
  // Reissued more than once: more certificates in the chain.
  order = MustApply(order, 1, command::CaIssued{Issued(Later(70), kNotAfter), "issued"}, Later(71));
  order = MustApply(order, -1, command::Reissue{"CSR-3", {}, {}}, Later(80));
  EXPECT_EQ(order.certificates.size(), 3u);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(order.certificates[1].status, CertificateStatus::kActive);
}

TEST(Seed, S11_RenewCreatesANewCertificateAndTheInitialOneIsRenewedNotExpired) {
  const Order active = ActiveOrder(nullptr);
  const absl::Time in_window = kNotAfter - absl::Hours(24 * 20);
  std::vector<Event> events;
  const Order order = MustApply(active, -1, command::Renew{}, in_window, &events);
  ASSERT_EQ(order.certificates.size(), 2u);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRenewed);
  EXPECT_EQ(order.certificates[1].kind, CertificateKind::kRenewal);
  // Still valid until its own expiration date: ACT, not EXP.
  EXPECT_EQ(ResellerCodeOf(order.certificates[0], in_window), ResellerCode::kAct);
  EXPECT_EQ(ResellerCodeOf(order.certificates[0], kNotAfter), ResellerCode::kExp);
  const Picture picture = DrawWorkflow(order.certificates[0], {events[0]});
  for (const PictureNode& node : picture.nodes) {
    if (node.status == CertificateStatus::kExpired) {
      EXPECT_FALSE(node.current) << "the old panel drew Renewed as Expired; we do not";
    }
    if (node.status == CertificateStatus::kRenewed) {
      EXPECT_TRUE(node.current);
    }
  }
}

}  // namespace
}  // namespace sslpanel::workflow::domain
