#include "workflow-service/src/domain/rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/test_orders.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(PrevalidationApplies, OvEvUnderNlForDutchOrganisations) {
  EXPECT_TRUE(PrevalidationApplies(ValidationType::kOv, "www.example.nl", "NL"));
  EXPECT_TRUE(PrevalidationApplies(ValidationType::kEv, "EXAMPLE.NL.", "nl"));
  EXPECT_FALSE(PrevalidationApplies(ValidationType::kDv, "www.example.nl", "NL"));
  EXPECT_FALSE(PrevalidationApplies(ValidationType::kOv, "www.example.com", "NL"));
  EXPECT_FALSE(PrevalidationApplies(ValidationType::kOv, "www.example.nl", "BE"));
}

TEST(ResellerCodes, PerStatusAsTheDesignTableSays) {
  for (const testing::StateCase& state : testing::AllStates()) {
    SCOPED_TRACE(state.name);
    const Certificate& c = state.order.certificates[state.target];
    const ResellerCode code = ResellerCodeOf(c, testing::ActionTime());
    switch (c.status) {
      case CertificateStatus::kOpen:
        EXPECT_EQ(code, ResellerCode::kPai);
        break;
      case CertificateStatus::kRequested:
        EXPECT_EQ(code,
                  c.pending == PendingOperation::kCancel ? ResellerCode::kRej : ResellerCode::kReq);
        break;
      case CertificateStatus::kActive:
        EXPECT_EQ(code,
                  c.pending == PendingOperation::kCancel ? ResellerCode::kRej : ResellerCode::kAct);
        break;
      case CertificateStatus::kRejected:
      case CertificateStatus::kRevoked:
        EXPECT_EQ(code, ResellerCode::kFai);
        break;
      case CertificateStatus::kExpired:
        EXPECT_EQ(code, ResellerCode::kExp);
        break;
      case CertificateStatus::kRenewed:
        EXPECT_EQ(code, ResellerCode::kAct) << "RENEWED is ACT while still valid";
        break;
    }
  }
}

TEST(AllowedActions, ClosedOrderOffersNothing) {
  for (const testing::StateCase& state : testing::AllStates()) {
    if (state.order.status == OrderStatus::kClosed) {
      EXPECT_THAT(AllowedActions(state.order, ProductRules{}, testing::ActionTime()), IsEmpty())
          << state.name;
    }
  }
}

TEST(AllowedActions, DraftOffersUpdateSubmitCancel) {
  const Order draft = testing::NewDvOrder(true, testing::ActionTime());
  EXPECT_THAT(AllowedActions(draft, ProductRules{}, testing::ActionTime()),
              ElementsAre(Action::kUpdate, Action::kSubmit, Action::kCancel));
}

TEST(AllowedActions, SubmitIsNotOfferedForADraftWithoutCsr) {
  Order order = testing::DvOrderData();
  order.certificates[0].csr_pem.clear();
  auto draft = CreateOrder(order, /*draft=*/true, testing::At(testing::ActionTime()));
  ASSERT_TRUE(draft.ok());
  EXPECT_THAT(AllowedActions(draft->order, ProductRules{}, testing::ActionTime()),
              ElementsAre(Action::kUpdate, Action::kCancel));
  auto refused = Decide(draft->order, 0, command::Submit{}, testing::At(testing::ActionTime()));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("no CSR"));
}

TEST(IsFinal, ARenewedCertificateFollowsItsNewestRenewal) {
  Order order = testing::NewDvOrder(false, testing::ActionTime());
  order = testing::MustApply(order, 0, command::CaAccepted{1, "CA-1", "p"}, testing::ActionTime());
  const absl::Time now = testing::ActionTime() + absl::Minutes(1);
  order = testing::MustApply(
      order, 0, command::CaIssued{testing::Issued(now, now + absl::Hours(24 * 30)), "i"}, now);
  order = testing::MustApply(order, -1, command::Renew{}, now);    // renewal 1
  order = testing::MustApply(order, 1, command::Cancel{""}, now);  // rejected: predecessor ACTIVE
  order = testing::MustApply(order, -1, command::Renew{}, now);    // renewal 2, in flight
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRenewed);
  EXPECT_FALSE(IsFinal(order, 0)) << "its newest renewal is still on its way";
}

TEST(CurrentCertificate, SkipsARejectedReissueSoTheOrderStaysActive) {
  Order order;
  Certificate active;
  active.status = CertificateStatus::kActive;
  active.not_after = testing::ActionTime() + absl::Hours(24);
  Certificate rejected;
  rejected.kind = CertificateKind::kReissue;
  rejected.status = CertificateStatus::kRejected;
  order.certificates = {active, rejected};
  EXPECT_EQ(CurrentCertificate(order), 0);
  EXPECT_EQ(ResellerCodeOf(order, testing::ActionTime()), ResellerCode::kAct);
}

}  // namespace
}  // namespace sslpanel::workflow::domain
