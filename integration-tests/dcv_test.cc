// DCV operations and the unknown-outcome hold end to end, through the public
// API against the real binaries: a DV order waiting at the sandbox CA changes
// its DCV method and gets its approval e-mail again, both visible in the
// history and in the CA's instructions GetOrder shows; the refusals name
// what is wrong; a submission whose answer the CA lost (the sandbox's
// lost-answer label) holds visibly until an operator resolves it.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

template <typename Call>
absl::Status Invoke(Call call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return grpc_util::FromGrpc(call(&context));
}

int Count(const std::vector<std::string>& types, const std::string& type) {
  return static_cast<int>(std::count(types.begin(), types.end(), type));
}

class DcvTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto system = System::Start(SystemOptions{});
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = system->release();
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(system_, nullptr) << "the system did not start"; }

  v1::WorkflowService::Stub& api() { return system_->workflow(); }

  v1::Order Wait(const std::string& order_id, const std::function<bool(const v1::Order&)>& done,
                 const std::string& what) {
    auto reached = system_->WaitFor(order_id, done, what);
    EXPECT_TRUE(reached.ok()) << reached.status();
    return reached.ok() ? *reached : v1::Order();
  }

  absl::StatusOr<v1::Order> ChangeDcv(const std::string& order_id, const std::string& request_id,
                                      const std::string& host, v1::DcvMethod method,
                                      const std::string& approver = "") {
    v1::ChangeDcvMethodRequest request;
    request.set_request_id(request_id);
    request.set_order_id(order_id);
    v1::DomainValidation* dv = request.add_domain_validations();
    dv->set_host_name(host);
    dv->set_method(method);
    dv->set_approver_email(approver);
    request.set_actor("test:customer");
    v1::ChangeDcvMethodResponse response;
    absl::Status status = Invoke(
        [&](grpc::ClientContext* c) { return api().ChangeDcvMethod(c, request, &response); });
    if (!status.ok()) {
      return status;
    }
    return response.order();
  }

  static System* system_;
};

System* DcvTest::system_ = nullptr;

TEST_F(DcvTest, AWaitingOrderChangesItsDcvMethodAndGetsItsEmailAgain) {
  // The sandbox keeps names with the "pending" label waiting for validation.
  const std::string host = "www.pending.dcv1.example.com";
  auto created = Create(api(), DvOrder("dcv1", host));
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string id = created->order_id();
  v1::Order waiting = Wait(
      id, [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_REQUESTED); },
      "REQUESTED at the CA");
  ASSERT_EQ(waiting.certificates(0).dcv_instructions_size(), 1);
  EXPECT_EQ(waiting.certificates(0).dcv_instructions(0).method(), v1::DCV_METHOD_DNS);
  EXPECT_THAT(waiting.certificates(0).allowed_actions(), Contains(v1::ACTION_CHANGE_DCV_METHOD));

  // The addresses the CA accepts for the name.
  v1::ListApproverEmailsRequest list;
  list.set_order_id(id);
  list.set_host_name(host);
  v1::ListApproverEmailsResponse approvers;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ListApproverEmails(c, list, &approvers);
              }).ok());
  EXPECT_THAT(approvers.approver_emails(),
              IsSupersetOf({"admin@example.com", "hostmaster@example.com"}));

  // An address the CA does not offer is refused, named.
  auto wrong = ChangeDcv(id, "dcv1-wrong", host, v1::DCV_METHOD_EMAIL, "ceo@example.com");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(), HasSubstr("ceo@example.com"));
  // So is a name the certificate does not have.
  auto unknown = ChangeDcv(id, "dcv1-unknown", "mail.other.org", v1::DCV_METHOD_DNS);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("mail.other.org"));

  // Change to e-mail: the CA's new instructions reach GetOrder.
  auto changed = ChangeDcv(id, "dcv1-email", host, v1::DCV_METHOD_EMAIL, "admin@example.com");
  ASSERT_TRUE(changed.ok()) << changed.status();
  auto replayed = ChangeDcv(id, "dcv1-email", host, v1::DCV_METHOD_EMAIL, "admin@example.com");
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  v1::Order by_email = Wait(
      id,
      [](const v1::Order& o) {
        return o.certificates(0).dcv_instructions_size() == 1 &&
               o.certificates(0).dcv_instructions(0).method() == v1::DCV_METHOD_EMAIL;
      },
      "the CA's instructions by e-mail");
  EXPECT_EQ(by_email.certificates(0).dcv_instructions(0).approver_email(), "admin@example.com");
  EXPECT_THAT(by_email.certificates(0).allowed_actions(), Contains(v1::ACTION_RESEND_DCV_EMAIL));

  // The approval e-mail again: the CA records it on the instruction.
  v1::ResendDcvEmailRequest resend;
  resend.set_request_id("dcv1-resend");
  resend.set_order_id(id);
  resend.set_host_name(host);
  resend.set_actor("test:customer");
  v1::ResendDcvEmailResponse resent;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ResendDcvEmail(c, resend, &resent);
              }).ok());
  Wait(
      id,
      [](const v1::Order& o) {
        return absl::StrContains(o.certificates(0).dcv_instructions(0).status(), "sent again");
      },
      "the CA's record of the resent e-mail");

  auto events = Events(api(), id);
  ASSERT_TRUE(events.ok()) << events.status();
  const std::vector<std::string> types = EventTypes(*events);
  EXPECT_EQ(Count(types, "DCV_CHANGE_REQUESTED"), 1) << "the replay changed nothing";
  EXPECT_EQ(Count(types, "DCV_CHANGED"), 1);
  EXPECT_EQ(Count(types, "DCV_EMAIL_RESEND_REQUESTED"), 1);
  EXPECT_EQ(Count(types, "DCV_EMAIL_RESENT"), 1);
  const auto at = [&](const std::string& type) {
    return std::find(types.begin(), types.end(), type) - types.begin();
  };
  EXPECT_LT(at("DCV_CHANGE_REQUESTED"), at("DCV_CHANGED"));
  EXPECT_LT(at("DCV_EMAIL_RESEND_REQUESTED"), at("DCV_EMAIL_RESENT"));
}

TEST_F(DcvTest, AnIssuedCertificateHasNoDcvToChange) {
  auto created = Create(api(), DvOrder("dcv2", "www.dcv2.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  Wait(
      created->order_id(),
      [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE");
  auto refused =
      ChangeDcv(created->order_id(), "dcv2-change", "www.dcv2.example.com", v1::DCV_METHOD_HTTP);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("ACTIVE"));
}

TEST_F(DcvTest, ASubmissionWhoseAnswerWasLostHoldsUntilAnOperatorResolvesIt) {
  auto created = Create(api(), DvOrder("lost1", "www.lostanswer.lost1.example.com"));
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string id = created->order_id();
  v1::Order held = Wait(
      id,
      [](const v1::Order& o) {
        return o.certificates(0).hold_reason() == v1::HOLD_REASON_CA_OUTCOME_UNKNOWN &&
               o.has_stuck_since();
      },
      "held with the unknown outcome, flagged stuck");
  EXPECT_EQ(held.certificates(0).status(), v1::CERTIFICATE_STATUS_OPEN);
  EXPECT_THAT(held.certificates(0).last_error(), HasSubstr("lost its answer"));
  EXPECT_THAT(held.certificates(0).allowed_actions(), Contains(v1::ACTION_RESOLVE_CA_SUBMISSION));
  EXPECT_THAT(held.certificates(0).allowed_actions(), ::testing::Not(Contains(v1::ACTION_SUBMIT)));
  auto before = system_->SandboxOrderCount();
  ASSERT_TRUE(before.ok()) << before.status();

  v1::ResolveCaSubmissionRequest resolve;
  resolve.set_request_id("lost1-resolve");
  resolve.set_order_id(id);
  resolve.set_resubmit(true);
  resolve.set_reason("no order for it in the CA's portal");
  resolve.set_actor("operator:alice");
  v1::ResolveCaSubmissionResponse response;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ResolveCaSubmission(c, resolve, &response);
              }).ok());
  Wait(
      id, [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE after the resolution");
  auto after = system_->SandboxOrderCount();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after - *before, 1) << "the resubmission created exactly one CA order";

  auto events = Events(api(), id);
  ASSERT_TRUE(events.ok()) << events.status();
  const std::vector<std::string> types = EventTypes(*events);
  EXPECT_EQ(Count(types, "CA_OUTCOME_UNKNOWN"), 1);
  EXPECT_EQ(Count(types, "CA_RESOLUTION_REQUESTED"), 1);
  EXPECT_EQ(Count(types, "CA_ACCEPTED"), 1);
  for (const v1::Event& e : *events) {
    if (e.type() == "CA_RESOLUTION_REQUESTED") {
      EXPECT_EQ(e.actor(), "operator:alice");
      EXPECT_THAT(e.reason(), HasSubstr("no order for it in the CA's portal"));
    }
  }
}

}  // namespace
}  // namespace sslpanel::integration
