// ca-adapter-sectigo's backend through the real gRPC service and MariaDB,
// against the sectigo-fake over real HTTP on 127.0.0.1: issuance (DV, OV,
// EV) with chains OpenSSL verifies, cancel before / revoke after issuance,
// reissue, renew, DCV operations, and each fault's outcome.
#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "ca-adapter/src/sectigo/sectigo_test_support.h"
#include "ca-adapter/src/testing/test_pki.h"

namespace sslpanel::ca::sectigo::testing {
namespace {

using nlohmann::json;

TEST_F(SectigoTest, DvOvAndEvOrdersIssueWithChainsThatVerify) {
  const std::vector<std::pair<v1::ValidationType, std::string>> products = {
      {v1::VALIDATION_TYPE_DV, "287"},
      {v1::VALIDATION_TYPE_OV, "7"},
      {v1::VALIDATION_TYPE_EV, "337"}};
  int n = 0;
  for (const auto& [type, product] : products) {
    const std::string host = absl::StrCat("www", n, ".example.nl");
    v1::SubmitOrderResponse submitted;
    ::grpc::Status status =
        Submit(SubmitRequest(absl::StrCat("issue-", n++), {host, "example.nl"}, type, product),
               &submitted);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(submitted.status().state(), v1::ORDER_STATE_PENDING);
    // The DCV values shown are the ones the CA checks.
    ASSERT_EQ(submitted.status().dcv_instructions_size(), 2);
    const json order = fake().Admin("GET", "orders/" + submitted.status().ca_order_id());
    const json& name = order["certificates"][0]["names"][0];
    EXPECT_EQ(submitted.status().dcv_instructions(0).dns_record_value() + ".",
              name["cnameTarget"].get<std::string>());
    EXPECT_EQ(absl::AsciiStrToLower(submitted.status().dcv_instructions(0).dns_record_name() + "."),
              absl::AsciiStrToLower(name["cnameName"].get<std::string>()));
    if (type != v1::VALIDATION_TYPE_DV) {
      EXPECT_EQ(order["organizationName"], "Test BV Donald");
    }
    const v1::CaOrderStatus issued = IssueNow(submitted.status().ca_order_id());
    ExpectVerifies(issued, host);
    EXPECT_FALSE(issued.certificate().serial_number().empty());
    EXPECT_TRUE(issued.dcv_instructions().empty());
  }
  EXPECT_EQ(Billed(), 3);
}

TEST_F(SectigoTest, CancelBeforeIssueIsCancelledAndRevokeAfterIssueIsRevoked) {
  v1::SubmitOrderResponse pending;
  ASSERT_TRUE(Submit(SubmitRequest("cancel-1", {"cancel.example.nl"}), &pending).ok());
  ::grpc::ClientContext cancel_context;
  v1::CancelOrderRequest cancel;
  cancel.set_idempotency_key("cancel-1-c");
  cancel.set_ca_order_id(pending.status().ca_order_id());
  cancel.set_reason("customer changed their mind");
  v1::CancelOrderResponse cancelled;
  ::grpc::Status status = stub().CancelOrder(&cancel_context, cancel, &cancelled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(cancelled.status().state(), v1::ORDER_STATE_CANCELLED);

  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(SubmitRequest("revoke-1", {"revoke.example.nl"}), &submitted).ok());
  const v1::CaOrderStatus issued = IssueNow(submitted.status().ca_order_id());
  // A cancel of an issued order is refused, not turned into a revocation.
  ::grpc::ClientContext late_context;
  cancel.set_idempotency_key("revoke-1-c");
  cancel.set_ca_order_id(issued.ca_order_id());
  EXPECT_EQ(stub().CancelOrder(&late_context, cancel, &cancelled).error_code(),
            ::grpc::StatusCode::FAILED_PRECONDITION);
  ::grpc::ClientContext revoke_context;
  v1::RevokeCertificateRequest revoke;
  revoke.set_idempotency_key("revoke-1-r");
  revoke.set_ca_order_id(issued.ca_order_id());
  revoke.set_reason(v1::REVOCATION_REASON_KEY_COMPROMISE);
  v1::RevokeCertificateResponse revoked;
  status = stub().RevokeCertificate(&revoke_context, revoke, &revoked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(revoked.status().state(), v1::ORDER_STATE_REVOKED);
  EXPECT_EQ(revoked.status().certificate().serial_number(), issued.certificate().serial_number());
  // The CA saw the reason code.
  bool saw_code = false;
  for (const json& request : fake().Admin("GET", "requests")) {
    if (request.value("endpoint", "") == "AutoRevokeSSL" &&
        request["params"].dump().find("\"codeReason\"") != std::string::npos &&
        request["params"].dump().find("\"1\"") != std::string::npos) {
      saw_code = true;
    }
  }
  EXPECT_TRUE(saw_code) << fake().Admin("GET", "requests").dump();
}

TEST_F(SectigoTest, ReissueReplacesTheCertificateAndRenewPlacesANewOrder) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(SubmitRequest("orig-1", {"shop.example.nl"}), &submitted).ok());
  const v1::CaOrderStatus original = IssueNow(submitted.status().ca_order_id());

  absl::StatusOr<ca::testing::TestCsr> csr = ca::testing::MakeCsr({"shop.example.nl"});
  ASSERT_TRUE(csr.ok());
  ::grpc::ClientContext reissue_context;
  v1::ReissueCertificateRequest reissue;
  reissue.set_idempotency_key("orig-1-reissue");
  reissue.set_ca_order_id(original.ca_order_id());
  reissue.set_csr(csr->csr_pem);
  v1::ReissueCertificateResponse reissued;
  ::grpc::Status status = stub().ReissueCertificate(&reissue_context, reissue, &reissued);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(reissued.status().ca_order_id(), original.ca_order_id());
  EXPECT_EQ(OrderNumber(reissued.status().ca_order_id()), original.ca_order_id());
  const v1::CaOrderStatus replacement = IssueNow(reissued.status().ca_order_id());
  ExpectVerifies(replacement, "shop.example.nl");
  EXPECT_NE(replacement.certificate().serial_number(), original.certificate().serial_number());
  v1::GetOrderStatusResponse still;
  ASSERT_TRUE(Status(original.ca_order_id(), &still).ok());
  EXPECT_EQ(still.status().state(), v1::ORDER_STATE_ISSUED);
  EXPECT_EQ(still.status().certificate().serial_number(), original.certificate().serial_number());

  ::grpc::ClientContext renew_context;
  v1::RenewOrderRequest renew;
  renew.set_idempotency_key("orig-1-renew");
  renew.set_ca_order_id(original.ca_order_id());
  renew.set_csr(csr->csr_pem);
  renew.set_period_months(12);
  v1::RenewOrderResponse renewed;
  status = stub().RenewOrder(&renew_context, renew, &renewed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(OrderNumber(renewed.status().ca_order_id()), original.ca_order_id());
  ExpectVerifies(IssueNow(renewed.status().ca_order_id()), "shop.example.nl");
  EXPECT_EQ(Billed(), 2);  // the order and its renewal; the reissue is free
}

TEST_F(SectigoTest, DcvOperationsOnAWaitingOrderAndRefusedOnAnIssuedOne) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(SubmitRequest("dcv-1", {"www.dcv.example.nl"}), &submitted).ok());
  const std::string id = submitted.status().ca_order_id();
  absl::StatusOr<std::vector<std::string>> approvers =
      backend().ListApproverEmails("www.dcv.example.nl", Options());
  ASSERT_TRUE(approvers.ok()) << approvers.status();
  ASSERT_FALSE(approvers->empty());
  EXPECT_EQ(approvers->front(), "admin@example.nl");

  domain::ChangeDcvCommand bad{
      "dcv-1-a", id, {{"www.dcv.example.nl", domain::DcvMethod::kEmail, "ceo@elsewhere.example"}}};
  absl::StatusOr<domain::OrderStatus> refused = backend().ChangeDcvMethod(bad, Options());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("ceo@elsewhere.example"), absl::string_view::npos);

  domain::ChangeDcvCommand change{
      "dcv-1-b", id, {{"www.dcv.example.nl", domain::DcvMethod::kEmail, "admin@example.nl"}}};
  absl::StatusOr<domain::OrderStatus> changed = backend().ChangeDcvMethod(change, Options());
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_EQ(changed->dcv_instructions.size(), 1u);
  EXPECT_EQ(changed->dcv_instructions[0].method, domain::DcvMethod::kEmail);
  EXPECT_EQ(changed->dcv_instructions[0].approver_email, "admin@example.nl");
  json order = fake().Admin("GET", "orders/" + id);
  EXPECT_EQ(order["certificates"][0]["names"][0]["dcvMethod"], "EMAIL");

  absl::StatusOr<domain::OrderStatus> resent =
      backend().ResendDcvEmail({"dcv-1-c", id, ""}, Options());
  ASSERT_TRUE(resent.ok()) << resent.status();
  order = fake().Admin("GET", "orders/" + id);
  EXPECT_GE(order["certificates"][0]["dcvEmailsSent"].get<int>(), 1);

  IssueNow(id);
  domain::ChangeDcvCommand late{
      "dcv-1-d", id, {{"www.dcv.example.nl", domain::DcvMethod::kDns, ""}}};
  EXPECT_EQ(backend().ChangeDcvMethod(late, Options()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(backend().ResendDcvEmail({"dcv-1-e", id, ""}, Options()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SectigoTest, AnOrderValidatedByEmailNeedsAnAddressTheCaOffers) {
  v1::SubmitOrderRequest request = SubmitRequest("mail-1", {"mail.example.nl"});
  v1::DomainValidation* dv = request.add_domain_validations();
  dv->set_host_name("mail.example.nl");
  dv->set_method(v1::DCV_METHOD_EMAIL);
  dv->set_approver_email("boss@gmail.example");
  v1::SubmitOrderResponse response;
  ::grpc::Status refused = Submit(request, &response);
  EXPECT_EQ(refused.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("boss@gmail.example"), std::string::npos);
  EXPECT_EQ(Billed(), 0);

  request.set_idempotency_key("mail-2");
  request.mutable_domain_validations(0)->set_approver_email("hostmaster@example.nl");
  ::grpc::Status status = Submit(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.status().dcv_instructions_size(), 1);
  EXPECT_EQ(response.status().dcv_instructions(0).approver_email(), "hostmaster@example.nl");
  const nlohmann::json order = fake().Admin("GET", "orders/" + response.status().ca_order_id());
  EXPECT_EQ(order["certificates"][0]["names"][0]["dcvMethod"], "EMAIL");
}

TEST_F(SectigoTest, CapabilitiesDeclareTheDcvOperationsAndThePollingBounds) {
  ::grpc::ClientContext context;
  v1::GetCapabilitiesResponse caps;
  ASSERT_TRUE(stub().GetCapabilities(&context, {}, &caps).ok());
  EXPECT_EQ(caps.adapter(), "sectigo");
  EXPECT_EQ(caps.validation_types_size(), 3);
  EXPECT_EQ(caps.dcv_methods_size(), 4);
  // The new capability fields (the service's conversion of them is wired
  // on another branch): from the backend.
  const domain::Capabilities backend_caps = backend().GetCapabilities();
  EXPECT_TRUE(backend_caps.supports_change_dcv_method);
  EXPECT_TRUE(backend_caps.supports_resend_dcv_email);
  EXPECT_TRUE(backend_caps.supports_list_approver_emails);
  ASSERT_TRUE(backend_caps.status_polling.has_value());
  EXPECT_EQ(backend_caps.status_polling->max_in_flight, 1);
  EXPECT_EQ(backend_caps.status_polling->rate_limited_backoff, absl::Seconds(2));
  EXPECT_EQ(backend_caps.status_polling->min_interval, absl::ZeroDuration());
}

TEST_F(SectigoTest, FaultsMapToRetryOrFinalAnswers) {
  // A 5xx before acting: retryable, and the retry places exactly one order.
  AddFault({{"endpoint", "AutoApplySSL"}, {"action", "http_status"}, {"status", 503}});
  v1::SubmitOrderResponse submitted;
  const v1::SubmitOrderRequest request = SubmitRequest("fault-1", {"fault.example.nl"});
  EXPECT_EQ(Submit(request, &submitted).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(Submit(request, &submitted).ok());
  EXPECT_EQ(Billed(), 1);

  // An unknown product: final, with the CA's message.
  ::grpc::Status unknown = Submit(
      SubmitRequest("fault-2", {"p.example.nl"}, v1::VALIDATION_TYPE_DV, "99999"), &submitted);
  EXPECT_EQ(unknown.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unknown.error_message().find("product"), std::string::npos) << unknown.error_message();

  // No credit and a bad login: held on the account, never final; counted.
  for (int code : {-15, -16}) {
    AddFault({{"endpoint", "AutoApplySSL"}, {"action", "error_code"}, {"code", code}});
    domain::SubmitCommand command;
    command.idempotency_key = absl::StrCat("fault-account", code);
    command.csr_pem = SubmitRequest("x", {"acct.example.nl"}).csr();
    command.common_name = "acct.example.nl";
    command.validation_type = domain::ValidationType::kDv;
    command.period_months = 12;
    command.product_code = "287";
    absl::StatusOr<domain::OrderStatus> held = backend().Submit(command, Options());
    EXPECT_EQ(held.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(domain::HoldSignal(held.status(), domain::kAccountProblemKey).has_value())
        << held.status();
    ASSERT_TRUE(backend().Submit(command, Options(true)).ok());  // fixed: goes through
  }
  EXPECT_EQ(Metric("sslpanel_ca_account_problem_total",
                   {{"adapter", "sectigo"}, {"endpoint", "AutoApplySSL"}}),
            2);

  // Rate limit on CollectSSL: RESOURCE_EXHAUSTED with a retry-after, and
  // every call holds back until it passes.
  AddFault({{"endpoint", "CollectSSL"}, {"action", "error_code"}, {"code", -42}});
  v1::GetOrderStatusResponse status;
  ::grpc::ClientContext limited_context;
  v1::GetOrderStatusRequest status_request;
  status_request.set_ca_order_id(submitted.status().ca_order_id());
  ::grpc::Status limited = stub().GetOrderStatus(&limited_context, status_request, &status);
  EXPECT_EQ(limited.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(limited_context.GetServerTrailingMetadata().count("retry-after-seconds"), 1u);
  EXPECT_EQ(Status(submitted.status().ca_order_id(), &status).error_code(),
            ::grpc::StatusCode::RESOURCE_EXHAUSTED);  // held back, not asked
  absl::SleepFor(absl::Seconds(2.2));
  EXPECT_TRUE(Status(submitted.status().ca_order_id(), &status).ok());

  // A garbled body: retryable.
  AddFault({{"endpoint", "CollectSSL"}, {"action", "malformed"}});
  EXPECT_EQ(Status(submitted.status().ca_order_id(), &status).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);

  // "Being issued" on a revoke: retryable with a retry-after.
  const v1::CaOrderStatus issued = IssueNow(submitted.status().ca_order_id());
  AddFault({{"endpoint", "AutoRevokeSSL"}, {"action", "error_code"}, {"code", -26}});
  absl::StatusOr<domain::OrderStatus> issuing =
      backend().Revoke(issued.ca_order_id(), domain::RevocationReason::kUnspecified, Options());
  EXPECT_EQ(issuing.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(domain::RetryAfter(issuing.status()).has_value());
}

TEST_F(SectigoTest, ConcurrentStatusPollsStayWithinTheAccountsSlot) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    v1::SubmitOrderResponse submitted;
    ASSERT_TRUE(
        Submit(SubmitRequest(absl::StrCat("poll-", i), {absl::StrCat("p", i, ".example.nl")}),
               &submitted)
            .ok());
    ids.push_back(submitted.status().ca_order_id());
  }
  // Each CollectSSL takes 300 ms at the fake, which answers -42 to any
  // concurrent one: the adapter must never send two at once.
  AddFault({{"endpoint", "CollectSSL"}, {"action", "delay"}, {"delay_ms", 300}, {"count", 0}});
  std::vector<std::thread> pollers;
  std::atomic<int> ok{0};
  std::atomic<int> busy{0};
  for (int round = 0; round < 2; ++round) {
    for (const std::string& id : ids) {
      pollers.emplace_back([&, id] {
        v1::GetOrderStatusResponse response;
        ::grpc::Status status = Status(id, &response);
        (status.ok() ? ok : busy)++;
        EXPECT_TRUE(status.ok() || status.error_code() == ::grpc::StatusCode::RESOURCE_EXHAUSTED)
            << status.error_code() << " " << status.error_message();
      });
    }
  }
  for (std::thread& poller : pollers) {
    poller.join();
  }
  EXPECT_GE(ok.load(), 4);
  int concurrent_refusals = 0;
  for (const json& request : fake().Admin("GET", "requests")) {
    if (request.value("endpoint", "") == "CollectSSL" &&
        request.dump().find("-42") != std::string::npos) {
      ++concurrent_refusals;
    }
  }
  EXPECT_EQ(concurrent_refusals, 0);
}

TEST_F(SectigoTest, AnUnpaidAccountHoldsTheOrderInsteadOfRefusingIt) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(SubmitRequest("unpaid-1", {"unpaid.example.nl"}), &submitted).ok());
  fake().Admin("POST", "accounts",
               nlohmann::json{{"loginName", sectigo_fake::testing::kLogin},
                              {"loginPassword", sectigo_fake::testing::kPassword},
                              {"unpaid", true}}
                   .dump());
  absl::StatusOr<domain::OrderStatus> held =
      backend().GetStatus(submitted.status().ca_order_id(), Options());
  EXPECT_EQ(held.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(domain::HoldSignal(held.status(), domain::kAccountProblemKey).has_value())
      << held.status();
  EXPECT_EQ(Metric("sslpanel_ca_account_problem_total",
                   {{"adapter", "sectigo"}, {"endpoint", "CollectSSL"}}),
            1);
}

class SectigoSlowPollTest : public SectigoTest {
 protected:
  SectigoSlowPollTest() { min_poll_interval_ = absl::Hours(1); }
};

TEST_F(SectigoSlowPollTest, AStatusWithinTheMinimumIntervalIsAnsweredWithoutAskingTheCa) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(SubmitRequest("slow-poll-1", {"sp.example.nl"}), &submitted).ok());
  const std::string id = submitted.status().ca_order_id();
  auto collects = [this] {
    int n = 0;
    for (const nlohmann::json& request : fake().Admin("GET", "requests")) {
      n += request.value("endpoint", "") == "CollectSSL" ? 1 : 0;
    }
    return n;
  };
  v1::GetOrderStatusResponse response;
  ASSERT_TRUE(Status(id, &response).ok());  // never polled yet: asks
  EXPECT_EQ(collects(), 1);
  ASSERT_TRUE(fake().fake().ValidateNow(id).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Status(id, &response).ok());
    EXPECT_EQ(response.status().state(), v1::ORDER_STATE_PENDING);  // the last answer stands
  }
  EXPECT_EQ(collects(), 1);
}

class SectigoTlsTest : public SectigoTest {
 protected:
  SectigoTlsTest() { tls_ = true; }
};

TEST_F(SectigoTlsTest, SpeaksHttpsTrustingTheCaBundle) {
  v1::SubmitOrderResponse submitted;
  ::grpc::Status status = Submit(SubmitRequest("tls-1", {"tls.example.nl"}), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectVerifies(IssueNow(submitted.status().ca_order_id()), "tls.example.nl");
  EXPECT_EQ(Billed(), 1);
}

class SectigoWrongBundleTest : public SectigoTest {
 protected:
  SectigoWrongBundleTest() {
    tls_ = true;
    tls_wrong_bundle_ = true;
  }
};

TEST_F(SectigoWrongBundleTest, AnUntrustedServerIsNeverSentAnything) {
  v1::SubmitOrderResponse submitted;
  const v1::SubmitOrderRequest request = SubmitRequest("tls-2", {"tls.example.nl"});
  EXPECT_EQ(Submit(request, &submitted).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  // The handshake failed before the request left: nothing to look up, and
  // the retry goes straight out again (and fails the same way).
  EXPECT_EQ(Submit(request, &submitted).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Billed(), 0);
  EXPECT_EQ(Metric("sslpanel_ca_sectigo_lookups_total", {{"outcome", "failed"}}), 0);
  EXPECT_EQ(Metric("sslpanel_ca_sectigo_calls_total",
                   {{"endpoint", "AutoApplySSL"}, {"result", "transport"}}),
            2);
}

}  // namespace
}  // namespace sslpanel::ca::sectigo::testing
