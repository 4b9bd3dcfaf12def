// Behaviour of the state machine beyond the one-step table: chains, renewal
// windows, stale answers, and the messages a caller reads.
#include "workflow-service/src/domain/transitions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/domain/test_orders.h"

namespace sslpanel::workflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Issued;
using testing::MustApply;

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);
absl::Time At(int days) { return kT0 + absl::Hours(24 * days); }

Order Active(absl::Time not_after) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, kT0 + absl::Minutes(1));
  return MustApply(order, 0, command::CaIssued{Issued(kT0, not_after), "issued"},
                   kT0 + absl::Minutes(2));
}

TEST(CreateOrder, DraftWaitsAndSubmittedOrderGoesToTheCaAtOnce) {
  auto draft = CreateOrder(testing::DvOrderData(), true, testing::At(kT0));
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ(draft->order.certificates[0].pending, PendingOperation::kNone);
  EXPECT_TRUE(draft->intents.empty());
  auto submitted = CreateOrder(testing::DvOrderData(), false, testing::At(kT0));
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->intents.size(), 1u);
  EXPECT_EQ(submitted->intents[0].kind, IntentKind::kSubmitToCa);
  EXPECT_EQ(submitted->intents[0].submission, 1);
}

TEST(CreateOrder, NonDraftWithoutCsrIsInvalid) {
  Order data = testing::DvOrderData();
  data.certificates[0].csr_pem.clear();
  auto decision = CreateOrder(data, false, testing::At(kT0));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decision.status().message(), HasSubstr("csr"));
}

TEST(Prevalidation, OnlyDutchOvEvNlOrdersArePrevalidated) {
  Order ov_nl = testing::NewDutchOvOrder(kT0);
  EXPECT_EQ(ov_nl.certificates[0].hold, HoldReason::kPrevalidationRunning);
  Order dv = testing::NewDvOrder(false, kT0);
  EXPECT_EQ(dv.certificates[0].hold, HoldReason::kAwaitingCa);
}

TEST(Prevalidation, AResultForAnOlderSubmissionIsRefusedAfterAnEdit) {
  Order order = testing::NewDutchOvOrder(kT0);
  order =
      MustApply(order, 0, command::Edit{std::string("CSR-NEW"), std::nullopt, std::nullopt}, At(1));
  ASSERT_EQ(order.certificates[0].submission, 2);
  auto stale = Decide(order, 0, command::RecordPrevalidation{1, PrevalidationOutcome::kPass, ""},
                      testing::At(At(1)));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("submission 1"));
}

TEST(Prevalidation, OverrideNeedsAReason) {
  Order order = testing::NewDutchOvOrder(kT0);
  order = MustApply(order, 0,
                    command::RecordPrevalidation{1, PrevalidationOutcome::kNeedsReview, "shielded"},
                    At(1));
  auto decision = Decide(order, 0, command::OverridePrevalidation{""}, testing::At(At(1)));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decision.status().message(), HasSubstr("reason"));
}

TEST(Cancel, RefusalNamesTheStatusAndTheAction) {
  Order order = Active(At(365));
  order = MustApply(order, 0, command::Cancel{""}, At(1));
  auto again = Decide(order, 0, command::Cancel{""}, testing::At(At(2)));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("cannot cancel"));
  EXPECT_THAT(again.status().message(), HasSubstr("ACTIVE with the Cancel arrow marked"));
}

TEST(Cancel, IssuedWhileCancelPendingIsRevokedInstead) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, At(0));
  order = MustApply(order, 0, command::Cancel{""}, At(1));
  auto decision =
      Decide(order, 0, command::CaIssued{Issued(At(1), At(366)), "issued"}, testing::At(At(1)));
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(decision->order.certificates[0].pending, PendingOperation::kCancel);
  EXPECT_EQ(decision->intents[0].kind, IntentKind::kRevokeAtCa);
}

// Every place a CA answer can overtake a pending operation, decided
// explicitly: a customer's acknowledged request is never dropped silently.

TEST(Overtaking, ACancelOvertakenByIssuanceBecomesARevocationUntilTheCaConfirms) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, At(0));
  order = MustApply(order, 0, command::Cancel{"customer asked"}, At(1));
  std::vector<Event> events;
  order = MustApply(order, 0, command::CaIssued{Issued(At(1), At(366)), "issued"}, At(1), &events);
  EXPECT_EQ(events.back().type, "CA_ISSUED");
  EXPECT_THAT(events.back().reason, HasSubstr("revoking it instead"));
  EXPECT_EQ(order.certificates[0].pending, PendingOperation::kCancel) << "the arrow stays marked";
  // The CA's refusal of the cancellation (it had issued) arrives late: it
  // must not clear the arrow the revocation now carries.
  auto stale = Decide(
      order, 0, command::CaCancelRefused{"issued; revoke instead", CertificateStatus::kRequested},
      testing::At(At(1)));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("revocation under way"));
  order = MustApply(order, 0, command::CaCancelled{"revoked"}, At(2), &events);
  EXPECT_EQ(events.back().type, "CA_REVOKE_CONFIRMED");
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRevoked);
  EXPECT_EQ(ResellerCodeOf(order, At(2)), ResellerCode::kFai);
  EXPECT_EQ(order.status, OrderStatus::kClosed);
}

TEST(Overtaking, ARefusedCancellationWhileStillPendingAtTheCaClearsTheArrowWithItsReason) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, At(0));
  order = MustApply(order, 0, command::Cancel{""}, At(1));
  std::vector<Event> events;
  order = MustApply(
      order, 0,
      command::CaCancelRefused{"cancellation window closed", CertificateStatus::kRequested}, At(1),
      &events);
  EXPECT_EQ(events.back().type, "CANCEL_REFUSED");
  EXPECT_EQ(events.back().reason, "cancellation window closed");
  EXPECT_EQ(order.certificates[0].pending, PendingOperation::kNone);
  auto wrong =
      Decide(MustApply(Active(At(365)), 0, command::Cancel{""}, At(1)), 0,
             command::CaCancelRefused{"x", CertificateStatus::kRequested}, testing::At(At(1)));
  EXPECT_FALSE(wrong.ok()) << "a cancel refusal never clears a revocation";
}

TEST(Overtaking, ARefusalByTheCaWhileACancelIsPendingRejectsAsTheCancelWould) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, At(0));
  order = MustApply(order, 0, command::Cancel{""}, At(1));
  order = MustApply(order, 0, command::CaRefused{"domain on a block list", "rejected"}, At(1));
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRejected);
  EXPECT_EQ(order.status, OrderStatus::kClosed);
}

TEST(Overtaking, ExpiryDuringAPendingRevocationEndsItExpiredAndSaysWhy) {
  Order order = MustApply(Active(At(30)), 0, command::Cancel{""}, At(29));
  std::vector<Event> events;
  order = MustApply(order, -1, command::ExpireDue{}, At(31), &events);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kExpired);
  EXPECT_EQ(order.certificates[0].pending, PendingOperation::kNone);
  EXPECT_EQ(events.back().at, At(30));
  EXPECT_THAT(events.back().reason, HasSubstr("revocation was pending"));
  EXPECT_EQ(order.status, OrderStatus::kClosed);
  // The revocation's late confirmation changes nothing on a closed order.
  EXPECT_FALSE(Decide(order, 0, command::CaCancelled{"revoked"}, testing::At(At(32))).ok());
}

TEST(Overtaking, ACancelledRenewalThatTheCaIssuedFirstIsRevokedAndThePredecessorRestored) {
  Order order = MustApply(Active(At(365)), -1, command::Renew{}, At(300));
  order = MustApply(order, 1, command::CaAccepted{1, "CA-2", "pending"}, At(301));
  order = MustApply(order, 1, command::Cancel{""}, At(302));
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kRenewed);
  order = MustApply(order, 1, command::CaIssued{Issued(At(302), At(730)), "issued"}, At(302));
  EXPECT_EQ(order.certificates[1].pending, PendingOperation::kCancel);
  std::vector<Event> events;
  order = MustApply(order, 1, command::CaCancelled{"revoked"}, At(303), &events);
  EXPECT_EQ(order.certificates[1].status, CertificateStatus::kRevoked);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(events.back().type, "RENEWAL_FAILED");
  EXPECT_THAT(events.back().reason, HasSubstr("was revoked"));
  EXPECT_EQ(order.status, OrderStatus::kOpen);
}

TEST(Overtaking, AReissueCarriesOnWhenTheCaRevokesThePredecessorMeanwhile) {
  Order order = MustApply(Active(At(365)), -1, command::Reissue{"CSR-2", {}, {}}, At(10));
  order = MustApply(order, 1, command::CaAccepted{1, "CA-2", "pending"}, At(10));
  std::vector<Event> events;
  order = MustApply(order, 0, command::CaCancelled{"revoked"}, At(11), &events);
  EXPECT_EQ(events.back().type, "CA_REVOKED");
  EXPECT_EQ(order.certificates[1].status, CertificateStatus::kRequested);
  order = MustApply(order, 1, command::CaIssued{Issued(At(11), At(365)), "issued"}, At(12));
  EXPECT_EQ(order.certificates[1].status, CertificateStatus::kActive);
  EXPECT_EQ(order.status, OrderStatus::kOpen);
}

TEST(Overtaking, ARevocationRefusedByTheCaClearsTheArrowWithTheCasReason) {
  Order order = MustApply(Active(At(365)), 0, command::Cancel{""}, At(1));
  std::vector<Event> events;
  order = MustApply(order, 0,
                    command::CaCancelRefused{"already revoked by its owner's account",
                                             CertificateStatus::kActive},
                    At(2), &events);
  EXPECT_EQ(events.back().type, "CANCEL_REFUSED");
  EXPECT_THAT(events.back().reason, HasSubstr("already revoked"));
  EXPECT_EQ(order.certificates[0].pending, PendingOperation::kNone);
}

TEST(Reissue, OneAtATimeAndThePreviousStaysActive) {
  Order order = MustApply(Active(At(365)), -1, command::Reissue{"CSR-2", {}, {}}, At(10));
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(order.certificates[1].predecessor, 0);
  EXPECT_EQ(order.certificates[1].csr_pem, "CSR-2");
  auto second = Decide(order, -1, command::Reissue{"CSR-3", {}, {}}, testing::At(At(11)));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("one at a time"));
}

TEST(Reissue, KeepsNamesUnlessNewOnesAreGiven) {
  Order order =
      MustApply(Active(At(365)), -1, command::Reissue{"CSR-2", {"api.example.com"}, {}}, At(10));
  EXPECT_EQ(order.certificates[1].common_name, "www.example.com");
  EXPECT_THAT(order.certificates[1].additional_names, ElementsAre("api.example.com"));
}

TEST(Reissue, NeedsANewCsr) {
  auto decision = Decide(Active(At(365)), -1, command::Reissue{"", {}, {}}, testing::At(At(10)));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Renew, OnlyInsideTheRenewalWindow) {
  const Order order = Active(At(365));
  auto early = Decide(order, -1, command::Renew{}, testing::At(At(200)));
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("renewal window opens at"));
  Context narrow = testing::At(At(300));
  narrow.product.renewal_window = absl::Hours(24 * 30);
  EXPECT_FALSE(Decide(order, -1, command::Renew{}, narrow).ok());
  narrow.now = At(340);
  EXPECT_TRUE(Decide(order, -1, command::Renew{}, narrow).ok());
}

TEST(Renew, RejectedRenewalGivesThePredecessorBackItsActiveStatus) {
  Order order = MustApply(Active(At(365)), -1, command::Renew{"", 24}, At(300));
  EXPECT_EQ(order.certificates[1].period_months, 24);
  std::vector<Event> events;
  order = MustApply(order, 1, command::CaRefused{"payment", "rejected"}, At(301), &events);
  EXPECT_EQ(order.certificates[1].status, CertificateStatus::kRejected);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kActive);
  EXPECT_EQ(events.back().type, "RENEWAL_FAILED");
  EXPECT_EQ(ResellerCodeOf(order, At(301)), ResellerCode::kAct);
}

TEST(Renew, RejectedAfterThePredecessorsDateExpiresItStampedWithThatDate) {
  Order order = MustApply(Active(At(365)), -1, command::Renew{}, At(300));
  order = MustApply(order, 1, command::CaAccepted{1, "CA-2", "pending"}, At(301));
  std::vector<Event> events;
  order =
      MustApply(order, 1, command::CaRefused{"validation failed", "rejected"}, At(370), &events);
  EXPECT_EQ(order.certificates[0].status, CertificateStatus::kExpired);
  EXPECT_EQ(events.back().at, At(365));
  EXPECT_EQ(order.status, OrderStatus::kClosed);
}

TEST(Renew, RenewedStaysFinalOnceTheRenewalIsActive) {
  Order order = MustApply(Active(At(365)), -1, command::Renew{}, At(300));
  EXPECT_FALSE(IsFinal(order, 0)) << "renewal still in flight";
  order = MustApply(order, 1, command::CaAccepted{1, "CA-2", "pending"}, At(301));
  order = MustApply(order, 1, command::CaIssued{Issued(At(301), At(730)), "issued"}, At(302));
  EXPECT_TRUE(IsFinal(order, 0));
  EXPECT_EQ(order.status, OrderStatus::kOpen);
  order = MustApply(order, -1, command::ExpireDue{}, At(731));
  EXPECT_EQ(order.status, OrderStatus::kClosed);
}

TEST(Expiry, AnyCommandExpiresDueCertificatesFirst) {
  const Order order = Active(At(30));
  auto decision = Decide(order, 0, command::Cancel{""}, testing::At(At(31)));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(decision.status().message(), HasSubstr("expired"));
}

TEST(Expiry, NothingDueIsRefusedSoARacingSweeperChangesNothing) {
  auto decision = Decide(Active(At(30)), -1, command::ExpireDue{}, testing::At(At(10)));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Decide, UnknownCertificateIsInvalid) {
  auto decision = Decide(Active(At(30)), 5, command::Cancel{""}, testing::At(At(1)));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decision.status().message(), HasSubstr("no certificate 6"));
}

TEST(Decide, IssuedDatesMustBeOrdered) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, At(0));
  auto decision =
      Decide(order, 0, command::CaIssued{Issued(At(10), At(5)), "issued"}, testing::At(At(1)));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Decide, EventsCarryActorTimeAndReason) {
  Order order = testing::NewDvOrder(false, kT0);
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, At(0));
  auto decision =
      Decide(order, 0, command::Cancel{"bought twice"}, testing::At(At(1), "customer:42"));
  ASSERT_TRUE(decision.ok());
  ASSERT_EQ(decision->events.size(), 1u);
  const Event& e = decision->events[0];
  EXPECT_EQ(e.type, "CANCEL_REQUESTED");
  EXPECT_EQ(e.actor, "customer:42");
  EXPECT_EQ(e.reason, "bought twice");
  EXPECT_EQ(e.at, At(1));
  EXPECT_EQ(e.from_status, CertificateStatus::kRequested);
  EXPECT_EQ(e.from_pending, PendingOperation::kNone);
  EXPECT_EQ(e.to_pending, PendingOperation::kCancel);
}

}  // namespace
}  // namespace sslpanel::workflow::domain
