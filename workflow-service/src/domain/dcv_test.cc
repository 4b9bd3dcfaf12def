// DCV operations on a certificate waiting at its CA, and the holds of a
// submission whose answer the CA adapter could not give (outcome unknown,
// account problem) with an operator's resolution. The transition table
// walks every state against these commands; these tests check what each
// decision carries.
#include "workflow-service/src/domain/dcv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/domain/test_orders.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MustApply;
using ::testing::Not;

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);

Order Requested() {
  return MustApply(testing::NewDvOrder(false, kT0), 0,
                   command::CaAccepted{1, "CA-7", "awaiting-validation"}, kT0);
}

TEST(Dcv, AChangeUpdatesTheChoiceAndCarriesItToTheCa) {
  auto changed = Decide(
      Requested(), 0,
      command::RequestDcvChange{{{"WWW.example.com", DcvMethod::kEmail, "admin@example.com"}}},
      testing::At(kT0 + absl::Minutes(1), "customer:42"));
  ASSERT_TRUE(changed.ok()) << changed.status();
  const Certificate& c = changed->order.certificates[0];
  EXPECT_EQ(c.status, CertificateStatus::kRequested);
  ASSERT_EQ(c.domain_validations.size(), 1u);
  EXPECT_EQ(c.domain_validations[0].method, DcvMethod::kEmail);
  EXPECT_EQ(c.domain_validations[0].approver_email, "admin@example.com");
  ASSERT_EQ(changed->events.size(), 1u);
  EXPECT_EQ(changed->events[0].type, "DCV_CHANGE_REQUESTED");
  EXPECT_EQ(changed->events[0].actor, "customer:42");
  EXPECT_THAT(changed->events[0].reason, HasSubstr("www.example.com: EMAIL admin@example.com"));
  ASSERT_EQ(changed->intents.size(), 1u);
  EXPECT_EQ(changed->intents[0].kind, IntentKind::kChangeDcvAtCa);
  EXPECT_THAT(
      changed->intents[0].detail.domain_validations,
      ElementsAre(DomainValidation{"www.example.com", DcvMethod::kEmail, "admin@example.com"}));
  // Now validated by e-mail, the resend is offered and allowed.
  EXPECT_THAT(AllowedActions(changed->order, 0, ProductRules{}, kT0),
              Contains(Action::kResendDcvEmail));
  auto resent = Decide(changed->order, 0, command::RequestDcvEmailResend{"www.example.com"},
                       testing::At(kT0 + absl::Minutes(2)));
  ASSERT_TRUE(resent.ok()) << resent.status();
  EXPECT_EQ(resent->events[0].type, "DCV_EMAIL_RESEND_REQUESTED");
  ASSERT_EQ(resent->intents.size(), 1u);
  EXPECT_EQ(resent->intents[0].kind, IntentKind::kResendDcvEmailAtCa);
  EXPECT_EQ(resent->intents[0].detail.host_name, "www.example.com");
}

TEST(Dcv, AnUnknownHostNameIsInvalidAndNamed) {
  auto refused =
      Decide(Requested(), 0, command::RequestDcvChange{{{"mail.other.org", DcvMethod::kDns, ""}}},
             testing::At(kT0));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("domain_validations[0].host_name"));
  EXPECT_THAT(refused.status().message(), HasSubstr("mail.other.org"));
}

TEST(Dcv, AnIssuedCertificateHasNoDcvToChange) {
  const Order active =
      MustApply(Requested(), 0,
                command::CaIssued{testing::Issued(kT0, kT0 + absl::Hours(24 * 365)), "issued"},
                kT0 + absl::Minutes(1));
  auto refused =
      Decide(active, 0, command::RequestDcvChange{{{"www.example.com", DcvMethod::kDns, ""}}},
             testing::At(kT0 + absl::Minutes(2)));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("ACTIVE"));
  EXPECT_THAT(refused.status().message(), HasSubstr("change DCV method"));
}

TEST(Dcv, AResendForANameValidatedByDnsSaysSo) {
  auto refused =
      Decide(Requested(), 0, command::RequestDcvEmailResend{"www.example.com"}, testing::At(kT0));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("validated by DNS, not by e-mail"));
}

TEST(Dcv, TheCasNewInstructionsAreShownAndRecorded) {
  DcvInstruction http;
  http.host_name = "www.example.com";
  http.method = DcvMethod::kHttp;
  http.http_url = "http://www.example.com/.well-known/pki-validation/abc.txt";
  auto recorded = Decide(Requested(), 0, command::DcvChanged{"awaiting-validation", {http}},
                         testing::At(kT0, "ca:sandbox"));
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->order.certificates[0].dcv_instructions, std::vector<DcvInstruction>{http});
  ASSERT_EQ(recorded->events.size(), 1u);
  EXPECT_EQ(recorded->events[0].type, "DCV_CHANGED");
  EXPECT_THAT(recorded->events[0].reason, HasSubstr("www.example.com: HTTP"));
}

TEST(Holds, AnUnknownOutcomeHoldsVisiblyAndTheCasAcceptanceSettlesIt) {
  const Order awaiting = testing::NewDvOrder(false, kT0);
  auto held = Decide(awaiting, 0,
                     command::CaHold{1, HoldReason::kCaOutcomeUnknown, "answer lost after send"},
                     testing::At(kT0));
  ASSERT_TRUE(held.ok()) << held.status();
  const Certificate& c = held->order.certificates[0];
  EXPECT_EQ(c.hold, HoldReason::kCaOutcomeUnknown);
  EXPECT_EQ(c.last_error, "answer lost after send");
  EXPECT_TRUE(held->intents.empty()) << "never sent again blindly";
  ASSERT_EQ(held->events.size(), 1u);
  EXPECT_EQ(held->events[0].type, "CA_OUTCOME_UNKNOWN");
  EXPECT_EQ(held->events[0].reason, "answer lost after send");
  const std::vector<Action> actions = AllowedActions(held->order, 0, ProductRules{}, kT0);
  EXPECT_THAT(actions, Contains(Action::kResolveCaSubmission));
  EXPECT_THAT(actions, Not(Contains(Action::kSubmit))) << "a new key could order twice";
  // The same signal again records nothing new.
  auto again = Decide(held->order, 0,
                      command::CaHold{1, HoldReason::kCaOutcomeUnknown, "answer lost after send"},
                      testing::At(kT0 + absl::Minutes(5)));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->events.empty());

  auto accepted = Decide(held->order, 0, command::CaAccepted{1, "CA-8", "pending"},
                         testing::At(kT0 + absl::Minutes(10)));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->order.certificates[0].status, CertificateStatus::kRequested);
  EXPECT_EQ(accepted->order.certificates[0].hold, HoldReason::kNone);
  EXPECT_EQ(accepted->order.certificates[0].last_error, "");
}

TEST(Holds, AResolutionNeedsOneDecisionAndAReasonAndRecordsTheOperator) {
  const Order held = MustApply(testing::NewDvOrder(false, kT0), 0,
                               command::CaHold{1, HoldReason::kCaOutcomeUnknown, "lost"}, kT0);
  auto both = Decide(held, 0, command::RequestCaResolution{"CA-1", true, "why"}, testing::At(kT0));
  EXPECT_EQ(both.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(both.status().message(), HasSubstr("resolution"));
  auto no_reason =
      Decide(held, 0, command::RequestCaResolution{"CA-1", false, ""}, testing::At(kT0));
  EXPECT_EQ(no_reason.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_reason.status().message(), HasSubstr("reason"));

  auto resolved =
      Decide(held, 0, command::RequestCaResolution{"CA-1234", false, "found in the CA portal"},
             testing::At(kT0, "operator:alice"));
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->order.certificates[0].hold, HoldReason::kCaOutcomeUnknown)
      << "held until the CA's answer arrives";
  ASSERT_EQ(resolved->events.size(), 1u);
  EXPECT_EQ(resolved->events[0].type, "CA_RESOLUTION_REQUESTED");
  EXPECT_EQ(resolved->events[0].actor, "operator:alice");
  EXPECT_THAT(resolved->events[0].reason, HasSubstr("CA-1234"));
  ASSERT_EQ(resolved->intents.size(), 1u);
  EXPECT_EQ(resolved->intents[0].kind, IntentKind::kResolveAtCa);
  EXPECT_EQ(resolved->intents[0].detail.attach_ca_reference, "CA-1234");
  EXPECT_EQ(resolved->intents[0].detail.actor, "operator:alice");
  EXPECT_EQ(resolved->intents[0].detail.reason, "found in the CA portal");
}

TEST(Holds, AnAccountProblemIsNeverARefusal) {
  auto held = Decide(testing::NewDvOrder(false, kT0), 0,
                     command::CaHold{1, HoldReason::kCaAccount, "reseller account has no credit"},
                     testing::At(kT0));
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->order.certificates[0].status, CertificateStatus::kOpen);
  EXPECT_EQ(held->order.certificates[0].hold, HoldReason::kCaAccount);
  EXPECT_EQ(held->events[0].type, "CA_ACCOUNT_PROBLEM");
  EXPECT_THAT(AllowedActions(held->order, 0, ProductRules{}, kT0),
              Not(Contains(Action::kResolveCaSubmission)));
}

}  // namespace
}  // namespace sslpanel::workflow::domain
