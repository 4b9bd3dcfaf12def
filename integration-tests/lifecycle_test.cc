// Whole order lifecycles through the public API only, against the real
// binaries: statuses, arrows, reseller codes, history and allowed actions at
// every step, as the panel and the ordering system see them.
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using S = v1::CertificateStatus;

constexpr auto OPEN = v1::CERTIFICATE_STATUS_OPEN;
constexpr auto REQUESTED = v1::CERTIFICATE_STATUS_REQUESTED;
constexpr auto ACTIVE = v1::CERTIFICATE_STATUS_ACTIVE;
constexpr auto REJECTED = v1::CERTIFICATE_STATUS_REJECTED;
constexpr auto REVOKED = v1::CERTIFICATE_STATUS_REVOKED;
constexpr auto EXPIRED = v1::CERTIFICATE_STATUS_EXPIRED;
constexpr auto RENEWED = v1::CERTIFICATE_STATUS_RENEWED;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class LifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SystemOptions options;
    options.sandbox_flags = {"--short_validity=3s"};
    auto system = System::Start(options);
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = system->release();
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(system_, nullptr) << "the system did not start"; }

  v1::WorkflowService::Stub& api() { return system_->workflow(); }

  v1::Order WaitFor(const v1::Order& order, int index, S status,
                    v1::PendingOperation pending = v1::PENDING_OPERATION_NONE) {
    auto reached = system_->WaitFor(
        order.order_id(),
        [&](const v1::Order& o) { return CertificateIs(o, index, status, pending); },
        absl::StrCat("certificate ", index, " ", v1::CertificateStatus_Name(status), "/",
                     v1::PendingOperation_Name(pending)));
    EXPECT_TRUE(reached.ok()) << reached.status();
    return reached.ok() ? *reached : order;
  }

  v1::Order ActiveOrder(const std::string& id) {
    auto created = Create(api(), DvOrder(id, id + ".example.com"));
    EXPECT_TRUE(created.ok()) << created.status();
    return WaitFor(*created, 0, ACTIVE);
  }

  static System* system_;
};

System* LifecycleTest::system_ = nullptr;

TEST_F(LifecycleTest, DvOrderGoesToActiveByItself) {
  auto created = Create(api(), DvOrder("dv1", "www.dv1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  // Right after the purchase: OPEN with the Requested arrow marked, PAI.
  EXPECT_EQ(created->certificates(0).status(), OPEN);
  EXPECT_EQ(created->certificates(0).pending_operation(), v1::PENDING_OPERATION_REQUEST);
  EXPECT_EQ(created->reseller_code(), v1::RESELLER_CODE_PAI);
  EXPECT_THAT(created->allowed_actions(), ElementsAre(v1::ACTION_CANCEL));

  const v1::Order active = WaitFor(*created, 0, ACTIVE);
  const v1::Certificate& cert = active.certificates(0);
  EXPECT_EQ(active.reseller_code(), v1::RESELLER_CODE_ACT);
  EXPECT_THAT(StatusHistory(cert), ElementsAre(OPEN, REQUESTED, ACTIVE));
  EXPECT_TRUE(cert.has_activation_time());
  EXPECT_GT(cert.expiration_time().seconds(), cert.activation_time().seconds());
  EXPECT_FALSE(cert.ca_reference().empty());
  EXPECT_FALSE(cert.serial_number().empty());
  EXPECT_THAT(active.allowed_actions(),
              ElementsAre(v1::ACTION_CANCEL, v1::ACTION_REISSUE, v1::ACTION_RENEW));
  // A real certificate, signed by the sandbox CA for the ordered name.
  EXPECT_EQ(VerifyChain(cert.certificate_pem(), cert.chain_pem(),
                        ReadFile(system_->sandbox_ca_dir() + "/root.pem")),
            "");
  auto events = Events(api(), active.order_id());
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(EventTypes(*events), ElementsAre("CREATED", "SUBMITTED", "CA_ACCEPTED", "CA_ISSUED"));
  EXPECT_EQ((*events)[0].actor(), "test:billing");
  EXPECT_EQ((*events)[2].actor(), "ca:sandbox");
  auto picture = Picture(api(), active.order_id());
  ASSERT_TRUE(picture.ok());
  EXPECT_EQ(ArrowState(*picture, OPEN, REQUESTED), v1::ARROW_STATE_TAKEN);
  EXPECT_EQ(ArrowState(*picture, REQUESTED, ACTIVE), v1::ARROW_STATE_TAKEN);
  EXPECT_EQ(ArrowState(*picture, ACTIVE, EXPIRED), v1::ARROW_STATE_IDLE);
}

TEST_F(LifecycleTest, DutchOvOrderWithAWrongNameIsHeldUntilTheCustomerFixesIt) {
  auto created = Create(api(), DutchOvOrder("ov1", "Tset B.V."));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->certificates(0).hold_reason(), v1::HOLD_REASON_PREVALIDATION_RUNNING);
  auto held = system_->WaitFor(
      created->order_id(),
      [](const v1::Order& o) {
        return o.certificates(0).hold_reason() == v1::HOLD_REASON_PREVALIDATION_FAILED;
      },
      "held by prevalidation");
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->certificates(0).status(), OPEN);
  EXPECT_EQ(held->certificates(0).pending_operation(), v1::PENDING_OPERATION_REQUEST);
  EXPECT_EQ(held->reseller_code(), v1::RESELLER_CODE_PAI);
  EXPECT_EQ(held->prevalidation().report().overall(), sslpanel::prevalidation::v1::OVERALL_FAIL);
  bool name_check_names_registered_name = false;
  for (const auto& check : held->prevalidation().report().checks()) {
    if (check.code() == "KVK_NAME_MATCH") {
      name_check_names_registered_name =
          check.outcome() == sslpanel::prevalidation::v1::CHECK_OUTCOME_FAIL &&
          absl::StrContains(check.message() + check.evidence(), "Test BV Donald");
    }
  }
  EXPECT_TRUE(name_check_names_registered_name) << held->prevalidation().ShortDebugString();
  EXPECT_THAT(held->allowed_actions(),
              ElementsAre(v1::ACTION_UPDATE, v1::ACTION_SUBMIT, v1::ACTION_CANCEL,
                          v1::ACTION_OVERRIDE_PREVALIDATION));
  auto picture = Picture(api(), held->order_id());
  EXPECT_EQ(ArrowState(*picture, OPEN, REQUESTED), v1::ARROW_STATE_MARKED);

  // The customer corrects the name: prevalidation runs again, passes, and the
  // order goes to the CA.
  v1::UpdateOrderRequest update;
  update.set_request_id("fix-ov1");
  update.set_order_id(held->order_id());
  *update.mutable_organization() = TestBvDonald("Test BV Donald");
  update.mutable_update_mask()->add_paths("organization");
  grpc::ClientContext context;
  v1::UpdateOrderResponse updated;
  ASSERT_TRUE(api().UpdateOrder(&context, update, &updated).ok());
  const v1::Order active = WaitFor(*held, 0, ACTIVE);
  EXPECT_EQ(active.prevalidation().report().overall(), sslpanel::prevalidation::v1::OVERALL_PASS);
  EXPECT_THAT(StatusHistory(active.certificates(0)), ElementsAre(OPEN, REQUESTED, ACTIVE));
  auto events = Events(api(), active.order_id());
  EXPECT_THAT(EventTypes(*events),
              ElementsAre("CREATED", "SUBMITTED", "PREVALIDATION_FAILED", "UPDATED", "RESUBMITTED",
                          "PREVALIDATION_PASSED", "CA_ACCEPTED", "CA_ISSUED"));
}

TEST_F(LifecycleTest, CancelFromRequestedRejectsAndClosesTheOrder) {
  // The sandbox keeps "pending" names waiting for validation forever.
  auto created = Create(api(), DvOrder("c1", "pending.c1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Order requested = WaitFor(*created, 0, REQUESTED);
  EXPECT_EQ(requested.reseller_code(), v1::RESELLER_CODE_REQ);
  // Waiting for validation: the DCV method can change too (DNS here, so no
  // e-mail to send again).
  EXPECT_THAT(requested.allowed_actions(),
              ElementsAre(v1::ACTION_CANCEL, v1::ACTION_CHANGE_DCV_METHOD));
  auto cancelled = Cancel(api(), requested.order_id(), "cancel-c1");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->certificates(0).pending_operation(), v1::PENDING_OPERATION_CANCEL);
  EXPECT_EQ(cancelled->reseller_code(), v1::RESELLER_CODE_REJ);
  const v1::Order rejected = WaitFor(requested, 0, REJECTED);
  EXPECT_EQ(rejected.status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(rejected.reseller_code(), v1::RESELLER_CODE_FAI);
  EXPECT_THAT(rejected.allowed_actions(), IsEmpty());
  auto events = Events(api(), rejected.order_id());
  EXPECT_THAT(EventTypes(*events), ElementsAre("CREATED", "SUBMITTED", "CA_ACCEPTED",
                                               "CANCEL_REQUESTED", "CA_CANCEL_CONFIRMED"));
  auto picture = Picture(api(), rejected.order_id());
  EXPECT_EQ(ArrowState(*picture, REQUESTED, REJECTED), v1::ARROW_STATE_TAKEN);
}

// The race seen from outside: the CA issues exactly when the cancel arrives
// (the sandbox's "cancelrace" label forces it) and refuses to cancel an
// issued order. The customer's cancel must still end the certificate.
TEST_F(LifecycleTest, ACancelThatIssuanceOvertakesEndsRevokedAndTheHistorySaysWhy) {
  auto created = Create(api(), DvOrder("race1", "www.cancelrace.race1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Order requested = WaitFor(*created, 0, REQUESTED);
  auto cancelled = Cancel(api(), requested.order_id(), "cancel-race1");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  const v1::Order revoked = WaitFor(requested, 0, REVOKED);
  EXPECT_EQ(revoked.status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(revoked.reseller_code(), v1::RESELLER_CODE_FAI);
  EXPECT_EQ(revoked.certificates(0).pending_operation(), v1::PENDING_OPERATION_NONE);
  EXPECT_THAT(StatusHistory(revoked.certificates(0)),
              ElementsAre(OPEN, REQUESTED, ACTIVE, REVOKED));
  auto events = Events(api(), revoked.order_id());
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(EventTypes(*events),
              ElementsAre("CREATED", "SUBMITTED", "CA_ACCEPTED", "CANCEL_REQUESTED", "CA_ISSUED",
                          "CA_REVOKE_CONFIRMED"));
  const auto& issued = (*events)[4];
  EXPECT_EQ(issued.to_pending_operation(), v1::PENDING_OPERATION_CANCEL)
      << "the Cancel arrow stays marked";
  EXPECT_THAT(issued.reason(), HasSubstr("revoking it instead"));
}

TEST_F(LifecycleTest, CancelFromActiveRevokes) {
  const v1::Order active = ActiveOrder("c2");
  auto cancelled = Cancel(api(), active.order_id(), "cancel-c2");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  const v1::Order revoked = WaitFor(active, 0, REVOKED);
  EXPECT_EQ(revoked.status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(revoked.reseller_code(), v1::RESELLER_CODE_FAI);
  EXPECT_THAT(StatusHistory(revoked.certificates(0)),
              ElementsAre(OPEN, REQUESTED, ACTIVE, REVOKED));
}

TEST_F(LifecycleTest, ReissuedTwiceMakesAChainOfThreeWithThePreviousStillActive) {
  v1::Order order = ActiveOrder("r1");
  for (int i = 1; i <= 2; ++i) {
    auto reissued = Reissue(api(), order.order_id(), absl::StrCat("reissue-r1-", i),
                            testing::MakeCsr("r1.example.com", {"r1.example.com"}));
    ASSERT_TRUE(reissued.ok()) << reissued.status();
    EXPECT_EQ(reissued->certificates(i).kind(), v1::CERTIFICATE_KIND_REISSUE);
    order = WaitFor(*reissued, i, ACTIVE);
  }
  ASSERT_EQ(order.certificates_size(), 3);
  for (const v1::Certificate& cert : order.certificates()) {
    EXPECT_EQ(cert.status(), ACTIVE);
  }
  EXPECT_NE(order.certificates(1).serial_number(), order.certificates(2).serial_number());
  EXPECT_EQ(order.certificates(2).predecessor_certificate_id(),
            order.certificates(1).certificate_id());
}

TEST_F(LifecycleTest, RenewMarksThePredecessorRenewedAndTheRenewalBecomesActive) {
  const v1::Order active = ActiveOrder("n1");
  auto renewed = Renew(api(), active.order_id(), "renew-n1");
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->certificates(0).status(), RENEWED);
  EXPECT_EQ(renewed->certificates(0).reseller_code(), v1::RESELLER_CODE_ACT);
  const v1::Order done = WaitFor(*renewed, 1, ACTIVE);
  EXPECT_EQ(done.certificates(0).status(), RENEWED);
  EXPECT_EQ(done.certificates(1).kind(), v1::CERTIFICATE_KIND_RENEWAL);
  EXPECT_EQ(done.reseller_code(), v1::RESELLER_CODE_ACT);
  auto picture = Picture(api(), done.order_id(), done.certificates(0).certificate_id());
  EXPECT_EQ(ArrowState(*picture, ACTIVE, RENEWED), v1::ARROW_STATE_TAKEN);
  EXPECT_EQ(ArrowState(*picture, ACTIVE, EXPIRED), v1::ARROW_STATE_IDLE);
}

TEST_F(LifecycleTest, ShortLivedCertificateExpiresStampedWithItsExpirationDate) {
  auto created = Create(api(), DvOrder("x1", "shortlived.x1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Order active = WaitFor(*created, 0, ACTIVE);
  const v1::Order expired = WaitFor(active, 0, EXPIRED);
  EXPECT_EQ(expired.status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(expired.reseller_code(), v1::RESELLER_CODE_EXP);
  const auto& history = expired.certificates(0).status_history();
  ASSERT_EQ(history.rbegin()->status(), EXPIRED);
  EXPECT_EQ(history.rbegin()->entered_at().seconds(),
            expired.certificates(0).expiration_time().seconds());
}

TEST_F(LifecycleTest, CaRefusalRejectsWithTheCasReason) {
  auto created = Create(api(), DvOrder("f1", "refuse.f1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Order rejected = WaitFor(*created, 0, REJECTED);
  EXPECT_FALSE(rejected.certificates(0).rejection_reason().empty());
  EXPECT_EQ(rejected.status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(rejected.reseller_code(), v1::RESELLER_CODE_FAI);
}

}  // namespace
}  // namespace sslpanel::integration
