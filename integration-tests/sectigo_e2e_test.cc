// Issue 13 end to end: Dutch OV orders through the real binaries — the
// workflow, the prevalidation service with the fake KvK/RDAP registries,
// ca-adapter-sectigo and the sectigo-fake binary (the Sectigo reseller API's
// wire format), on a fresh MariaDB. The fake validates nothing by itself
// (--validation=manual): an order waits for DCV until the test completes it
// through the fake's admin endpoint, so what happens while it waits (DCV
// changes, resends, a cancellation) is under the test's control. What the
// customer sees is read through the workflow API, what the CA saw through the
// fake's /fake/orders/<orderNumber>.
#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/grpc/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename Call>
absl::Status Invoke(Call call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return grpc_util::FromGrpc(call(&context));
}

int Count(const std::vector<std::string>& types, const std::string& type) {
  return static_cast<int>(std::count(types.begin(), types.end(), type));
}

// The Dutch OV order of KvK 68750110 on the Sectigo OV product.
v1::CreateOrderRequest SectigoOvOrder(const std::string& id, const std::string& legal_name) {
  v1::CreateOrderRequest request = DutchOvOrder(id, legal_name);
  request.set_product_id("sectigo-ov");
  return request;
}

class SectigoEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SystemOptions options;
    options.with_sectigo = true;
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

  v1::Order Wait(const std::string& order_id, const std::function<bool(const v1::Order&)>& done,
                 const std::string& what) {
    auto reached = system_->WaitFor(order_id, done, what);
    EXPECT_TRUE(reached.ok()) << reached.status();
    return reached.ok() ? *reached : v1::Order();
  }

  // Created, prevalidated and accepted by the fake: REQUESTED with the CA's
  // order number.
  v1::Order CreateRequested(const std::string& id) {
    auto created = Create(api(), SectigoOvOrder(id, "Test BV Donald"));
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) {
      return v1::Order();
    }
    return Wait(
        created->order_id(),
        [](const v1::Order& o) {
          return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_REQUESTED) &&
                 !o.certificates(0).ca_reference().empty() &&
                 o.certificates(0).dcv_instructions_size() > 0;
        },
        "REQUESTED at Sectigo with DCV instructions");
  }

  // The fake's admin API (JSON).
  nlohmann::json Admin(const std::string& method, const std::string& path) {
    httplib::Client client("127.0.0.1", system_->sectigo_fake_port());
    client.set_read_timeout(10, 0);
    httplib::Result result =
        method == "POST" ? client.Post(path, "", "application/json") : client.Get(path);
    EXPECT_TRUE(result) << method << " " << path << ": " << httplib::to_string(result.error());
    if (!result) {
      return nlohmann::json();
    }
    EXPECT_EQ(result->status, 200) << method << " " << path << ": " << result->body;
    return nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  }
  nlohmann::json FakeOrder(const v1::Order& order) {
    return Admin("GET", "/fake/orders/" + order.certificates(0).ca_reference());
  }
  // The name's entry in the fake's newest certificate of the order.
  nlohmann::json FakeName(const v1::Order& order, const std::string& name) {
    nlohmann::json fake = FakeOrder(order);
    if (!fake.contains("certificates") || fake["certificates"].empty()) {
      return nlohmann::json();
    }
    for (const nlohmann::json& entry : fake["certificates"].back()["names"]) {
      if (entry.value("name", "") == name) {
        return entry;
      }
    }
    return nlohmann::json();
  }
  void ValidateAtTheCa(const v1::Order& order) {
    Admin("POST", "/fake/orders/" + order.certificates(0).ca_reference() + "/validate");
  }
  int Billed() { return Admin("GET", "/fake/billing").value("applied", -1); }

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

System* SectigoEndToEndTest::system_ = nullptr;

TEST_F(SectigoEndToEndTest, ADutchOvOrderPassesPrevalidationAndSectigoIssuesIt) {
  const int billed_before = Billed();
  v1::Order requested = CreateRequested("ov-issue");
  ASSERT_TRUE(requested.certificates_size() > 0);
  const std::string id = requested.order_id();
  EXPECT_EQ(requested.prevalidation().report().overall(), prevalidation::v1::OVERALL_PASS);
  EXPECT_EQ(requested.certificates(0).ca_adapter(), "sectigo");

  // What the customer must publish: the CSR-hash CNAME of each name.
  ASSERT_EQ(requested.certificates(0).dcv_instructions_size(), 2);
  for (const v1::DcvInstruction& dcv : requested.certificates(0).dcv_instructions()) {
    EXPECT_EQ(dcv.method(), v1::DCV_METHOD_DNS) << dcv.host_name();
    EXPECT_EQ(dcv.dns_record_type(), "CNAME");
    EXPECT_TRUE(absl::EndsWith(dcv.dns_record_value(), ".sectigo.com")) << dcv.dns_record_value();
    // The same values the CA checks.
    nlohmann::json at_ca = FakeName(requested, dcv.host_name());
    ASSERT_FALSE(at_ca.is_null()) << dcv.host_name() << " is not an order name at the CA";
    EXPECT_EQ(at_ca.value("dcvMethod", ""), "CNAME_CSR_HASH");
    // The same record the CA looks up (it writes names fully qualified).
    EXPECT_EQ(dcv.dns_record_name(), absl::StripSuffix(at_ca.value("cnameName", "?"), "."));
    EXPECT_EQ(dcv.dns_record_value(), absl::StripSuffix(at_ca.value("cnameTarget", "?"), "."));
  }

  // The CA received the OV product and the organisation from the order.
  nlohmann::json fake = FakeOrder(requested);
  EXPECT_EQ(fake.value("product", 0), 7);
  EXPECT_EQ(fake.value("organizationName", ""), "Test BV Donald");
  EXPECT_EQ(Billed() - billed_before, 1) << "exactly one billed Sectigo order";

  ValidateAtTheCa(requested);
  v1::Order active = Wait(
      id, [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE after DCV at Sectigo");
  ASSERT_TRUE(active.certificates_size() > 0);
  const v1::Certificate& cert = active.certificates(0);
  EXPECT_EQ(active.reseller_code(), v1::RESELLER_CODE_ACT);
  EXPECT_TRUE(cert.has_activation_time());
  EXPECT_TRUE(cert.has_expiration_time());
  nlohmann::json ca = Admin("GET", "/fake/ca");
  EXPECT_EQ(VerifyChain(cert.certificate_pem(), cert.chain_pem(), ca.value("rootPem", "")), "")
      << "the chain verifies against the fake's root";
  EXPECT_EQ(Billed() - billed_before, 1) << "polling billed nothing more";

  auto events = Events(api(), id);
  ASSERT_TRUE(events.ok()) << events.status();
  const std::vector<std::string> types = EventTypes(*events);
  EXPECT_EQ(Count(types, "CA_ACCEPTED"), 1);
  EXPECT_EQ(Count(types, "CA_ISSUED"), 1);
}

TEST_F(SectigoEndToEndTest, AMisspeltNameStopsAtOpenWithTheReportAndNothingReachesSectigo) {
  const int billed_before = Billed();
  auto created = Create(api(), SectigoOvOrder("ov-misspelt", "Tset B.V."));
  ASSERT_TRUE(created.ok()) << created.status();
  v1::Order held = Wait(
      created->order_id(),
      [](const v1::Order& o) {
        return o.certificates(0).hold_reason() == v1::HOLD_REASON_PREVALIDATION_FAILED;
      },
      "held by prevalidation");
  EXPECT_TRUE(CertificateIs(held, 0, v1::CERTIFICATE_STATUS_OPEN, v1::PENDING_OPERATION_REQUEST));
  EXPECT_EQ(held.prevalidation().report().overall(), prevalidation::v1::OVERALL_FAIL);
  bool name_check_failed = false;
  for (const auto& check : held.prevalidation().report().checks()) {
    if (check.code() == "KVK_NAME_MATCH") {
      name_check_failed = check.outcome() == prevalidation::v1::CHECK_OUTCOME_FAIL;
      EXPECT_THAT(check.message(), HasSubstr("Test BV Donald"));
    }
  }
  EXPECT_TRUE(name_check_failed) << held.prevalidation().ShortDebugString();
  EXPECT_TRUE(held.certificates(0).ca_reference().empty());
  EXPECT_EQ(Billed(), billed_before) << "a held order never reaches Sectigo";
}

TEST_F(SectigoEndToEndTest, CancelBeforeIssuanceIsRejectedAndAfterIssuanceRevoked) {
  v1::Order waiting = CreateRequested("ov-cancel-early");
  v1::Order issued = CreateRequested("ov-cancel-late");
  ASSERT_TRUE(waiting.certificates_size() > 0 && issued.certificates_size() > 0);

  auto cancelled = Cancel(api(), waiting.order_id(), "cancel-early");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  Wait(
      waiting.order_id(),
      [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_REJECTED); },
      "REJECTED");
  nlohmann::json early = FakeOrder(waiting);
  ASSERT_FALSE(early["certificates"].empty());
  EXPECT_EQ(early["certificates"].back().value("state", ""), "Rejected");

  ValidateAtTheCa(issued);
  Wait(
      issued.order_id(),
      [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE");
  auto revoked = Cancel(api(), issued.order_id(), "cancel-late");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  v1::Order done = Wait(
      issued.order_id(),
      [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_REVOKED); },
      "REVOKED");
  EXPECT_EQ(done.status(), v1::ORDER_STATUS_CLOSED);
  nlohmann::json late = FakeOrder(issued);
  ASSERT_FALSE(late["certificates"].empty());
  EXPECT_EQ(late["certificates"].back().value("state", ""), "Revoked");
}

TEST_F(SectigoEndToEndTest, AWaitingOrderChangesItsDcvMethodAndGetsItsEmailAgainAtSectigo) {
  v1::Order waiting = CreateRequested("ov-dcv");
  ASSERT_TRUE(waiting.certificates_size() > 0);
  const std::string id = waiting.order_id();
  const std::string host = "www.testbvdonald.nl";
  EXPECT_THAT(waiting.certificates(0).allowed_actions(), Contains(v1::ACTION_CHANGE_DCV_METHOD));

  // The addresses Sectigo accepts for the name.
  v1::ListApproverEmailsRequest list;
  list.set_order_id(id);
  list.set_host_name(host);
  v1::ListApproverEmailsResponse approvers;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ListApproverEmails(c, list, &approvers);
              }).ok());
  EXPECT_THAT(approvers.approver_emails(), Contains("admin@testbvdonald.nl"));

  // An address Sectigo does not offer is refused, named; nothing reaches the CA.
  auto wrong = ChangeDcv(id, "ov-dcv-wrong", host, v1::DCV_METHOD_EMAIL, "ceo@testbvdonald.nl");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(), HasSubstr("ceo@testbvdonald.nl"));
  EXPECT_EQ(FakeName(waiting, host).value("dcvMethod", ""), "CNAME_CSR_HASH");

  // To e-mail: the CA switches the name, GetOrder shows the new instruction.
  auto changed = ChangeDcv(id, "ov-dcv-email", host, v1::DCV_METHOD_EMAIL, "admin@testbvdonald.nl");
  ASSERT_TRUE(changed.ok()) << changed.status();
  v1::Order by_email = Wait(
      id,
      [&host](const v1::Order& o) {
        for (const v1::DcvInstruction& dcv : o.certificates(0).dcv_instructions()) {
          if (dcv.host_name() == host) {
            return dcv.method() == v1::DCV_METHOD_EMAIL;
          }
        }
        return false;
      },
      "the e-mail instruction for www");
  nlohmann::json at_ca = FakeName(waiting, host);
  EXPECT_EQ(at_ca.value("dcvMethod", ""), "EMAIL") << at_ca.dump();
  EXPECT_EQ(at_ca.value("dcvEmailAddress", ""), "admin@testbvdonald.nl");
  EXPECT_EQ(FakeName(waiting, "testbvdonald.nl").value("dcvMethod", ""), "CNAME_CSR_HASH")
      << "the other name keeps its method";
  EXPECT_THAT(by_email.certificates(0).allowed_actions(), Contains(v1::ACTION_RESEND_DCV_EMAIL));

  // The approval e-mail again: one more e-mail sent at the CA.
  const int sent_before = FakeOrder(waiting)["certificates"].back().value("dcvEmailsSent", -1);
  v1::ResendDcvEmailRequest resend;
  resend.set_request_id("ov-dcv-resend");
  resend.set_order_id(id);
  resend.set_host_name(host);
  resend.set_actor("test:customer");
  v1::ResendDcvEmailResponse resent;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ResendDcvEmail(c, resend, &resent);
              }).ok());
  std::vector<std::string> types;
  for (int i = 0; i < 200 && Count(types, "DCV_EMAIL_RESENT") == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    auto events = Events(api(), id);
    ASSERT_TRUE(events.ok()) << events.status();
    types = EventTypes(*events);
  }
  EXPECT_EQ(FakeOrder(waiting)["certificates"].back().value("dcvEmailsSent", -1), sent_before + 1);
  EXPECT_EQ(Count(types, "DCV_CHANGE_REQUESTED"), 1);
  EXPECT_EQ(Count(types, "DCV_CHANGED"), 1);
  EXPECT_EQ(Count(types, "DCV_EMAIL_RESEND_REQUESTED"), 1);
  EXPECT_EQ(Count(types, "DCV_EMAIL_RESENT"), 1);

  // Once issued there is no DCV to change.
  ValidateAtTheCa(waiting);
  Wait(
      id, [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE");
  auto refused = ChangeDcv(id, "ov-dcv-late", host, v1::DCV_METHOD_HTTP);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("ACTIVE"));
}

}  // namespace
}  // namespace sslpanel::integration
