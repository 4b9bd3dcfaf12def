#include "workflow-service/src/domain/rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/test_orders.h"

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
