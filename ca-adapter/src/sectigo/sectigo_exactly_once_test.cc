// At most one billed Sectigo order per idempotency key although the API has
// no idempotency: answers lost after the CA created the order (a dropped
// connection, a slow answer) are looked up, never resent; a lookup the CA
// cannot answer holds the order (OutcomeUnknown) until an operator settles
// it with ResolveSubmission.
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/sectigo/sectigo_test_support.h"
#include "ca-adapter/src/testing/test_pki.h"

namespace sslpanel::ca::sectigo::testing {
namespace {

domain::SubmitCommand Command(const v1::SubmitOrderRequest& request) {
  domain::SubmitCommand command;
  command.idempotency_key = request.idempotency_key();
  command.csr_pem = request.csr();
  command.common_name = request.common_name();
  command.validation_type = domain::ValidationType::kDv;
  command.period_months = request.period_months();
  command.product_code = request.product_code();
  return command;
}

TEST_F(SectigoTest, ADroppedConnectionAfterTheOrderWasCreatedIsLookedUpNotResent) {
  AddFault({{"endpoint", "AutoApplySSL"}, {"action", "drop"}, {"when", "after"}});
  const v1::SubmitOrderRequest request = SubmitRequest("drop-1", {"drop.example.nl"});
  v1::SubmitOrderResponse first;
  EXPECT_EQ(Submit(request, &first).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Billed(), 1);  // the CA created and billed it
  v1::SubmitOrderResponse again;
  ::grpc::Status status = Submit(request, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Billed(), 1);
  const nlohmann::json billing = fake().Admin("GET", "billing");
  EXPECT_EQ(again.status().ca_order_id(), billing["entries"][0]["orderNumber"]);
  EXPECT_EQ(Metric("sslpanel_ca_sectigo_lookups_total", {{"outcome", "found"}}), 1);
}

TEST_F(SectigoTest, ASlowAnswerAfterTheOrderWasCreatedIsLookedUpNotResent) {
  AddFault({{"endpoint", "AutoApplySSL"},
            {"action", "delay"},
            {"when", "after"},
            {"delay_ms", 3000}});  // longer than the 2 s request timeout
  const v1::SubmitOrderRequest request = SubmitRequest("slow-1", {"slow.example.nl"});
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(Submit(request, &response).ok());
  ASSERT_TRUE(Submit(request, &response).ok());  // a replay: the stored answer
  EXPECT_EQ(Billed(), 1);
}

TEST_F(SectigoTest, ALostAnswerForWhichNoOrderExistsIsSentAgainOnce) {
  // Dropped before the CA acted: the lookup finds nothing and decides.
  AddFault({{"endpoint", "AutoApplySSL"}, {"action", "drop"}, {"when", "before"}});
  const v1::SubmitOrderRequest request = SubmitRequest("lost-1", {"lost.example.nl"});
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Billed(), 0);
  ASSERT_TRUE(Submit(request, &response).ok());
  EXPECT_EQ(Billed(), 1);
  EXPECT_EQ(Metric("sslpanel_ca_sectigo_lookups_total", {{"outcome", "none"}}), 1);
}

TEST_F(SectigoTest, AForeignOrderNumberTheCaKnowsIsLookedUp) {
  // The row says "not sent" but the CA has the order (say the database
  // write after the send was lost): checkFONIsUnique makes the CA refuse
  // the second one, and the adapter adopts the first.
  const v1::SubmitOrderRequest request = SubmitRequest("fon-1", {"fon.example.nl"});
  v1::SubmitOrderResponse first;
  ASSERT_TRUE(Submit(request, &first).ok());
  ASSERT_TRUE(harness_->pool()
                  .Run("forget the send",
                       [](sql::Connection& conn) {
                         std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                         stmt->executeUpdate(
                             "UPDATE sectigo_orders SET send_state = 'not_sent', ca_order_id = "
                             "NULL, order_number = NULL WHERE idempotency_key = 'fon-1'");
                         return absl::OkStatus();
                       })
                  .ok());
  absl::StatusOr<domain::OrderStatus> replayed = backend().Submit(Command(request), Options(true));
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->ca_order_id, first.status().ca_order_id());
  EXPECT_EQ(Billed(), 1);
}

TEST_F(SectigoTest, ALookupTheCaCannotAnswerHoldsUntilAnOperatorAttachesTheOrder) {
  AddFault({{"endpoint", "AutoApplySSL"}, {"action", "drop"}, {"when", "after"}});
  AddFault({{"endpoint", "WebHostReport"}, {"action", "error_code"}, {"code", -2}, {"count", 0}});
  const v1::SubmitOrderRequest request = SubmitRequest("hold-1", {"hold.example.nl"});
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<domain::OrderStatus> held = backend().Submit(Command(request), Options(true));
    EXPECT_EQ(held.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(domain::HoldSignal(held.status(), domain::kOutcomeUnknownKey).has_value())
        << held.status();
  }
  EXPECT_EQ(Billed(), 1);  // never resent blindly

  const std::string found_by_hand =
      fake().Admin("GET", "billing")["entries"][0]["orderNumber"].get<std::string>();
  domain::ResolveSubmissionCommand resolve{"hold-1", found_by_hand, false, "ops@example.nl",
                                           "found in the Sectigo portal"};
  absl::StatusOr<domain::OrderStatus> resolved = backend().ResolveSubmission(resolve, Options());
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->ca_order_id, found_by_hand);
  // Repeating it is harmless; a different decision is refused.
  EXPECT_TRUE(backend().ResolveSubmission(resolve, Options()).ok());
  domain::ResolveSubmissionCommand other{"hold-1", "", true, "ops@example.nl", "changed my mind"};
  EXPECT_EQ(backend().ResolveSubmission(other, Options()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The workflow's retry of the submission now answers with that order.
  ASSERT_TRUE(Submit(request, &response).ok());
  EXPECT_EQ(response.status().ca_order_id(), found_by_hand);
  EXPECT_EQ(Billed(), 1);
  absl::StatusOr<int64_t> recorded = harness_->QueryNumber(
      "SELECT COUNT(*) FROM sectigo_orders WHERE resolved_by = 'ops@example.nl' AND "
      "resolution = 'attach' AND resolve_reason = 'found in the Sectigo portal'");
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*recorded, 1);
}

TEST_F(SectigoTest, AnOperatorsResubmitSendsOnceMore) {
  AddFault({{"endpoint", "AutoApplySSL"}, {"action", "drop"}, {"when", "before"}});
  AddFault({{"endpoint", "WebHostReport"}, {"action", "error_code"}, {"code", -2}, {"count", 0}});
  const v1::SubmitOrderRequest request = SubmitRequest("hold-2", {"hold2.example.nl"});
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  absl::StatusOr<domain::OrderStatus> held = backend().Submit(Command(request), Options(true));
  EXPECT_TRUE(domain::HoldSignal(held.status(), domain::kOutcomeUnknownKey).has_value());
  EXPECT_EQ(Billed(), 0);
  domain::ResolveSubmissionCommand resubmit{"hold-2", "", true, "ops@example.nl",
                                            "not in the portal"};
  absl::StatusOr<domain::OrderStatus> resolved = backend().ResolveSubmission(resubmit, Options());
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(Billed(), 1);
  ASSERT_TRUE(Submit(request, &response).ok());
  EXPECT_EQ(response.status().ca_order_id(), resolved->ca_order_id);
  EXPECT_EQ(Billed(), 1);
}

TEST_F(SectigoTest, AReissueWhoseAnswerWasLostIsFoundOnTheOrder) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(SubmitRequest("re-1", {"re.example.nl"}), &submitted).ok());
  const v1::CaOrderStatus original = IssueNow(submitted.status().ca_order_id());
  absl::StatusOr<ca::testing::TestCsr> csr = ca::testing::MakeCsr({"re.example.nl"});
  ASSERT_TRUE(csr.ok());
  AddFault({{"endpoint", "AutoReplaceSSL"}, {"action", "drop"}, {"when", "after"}});
  v1::ReissueCertificateRequest reissue;
  reissue.set_idempotency_key("re-1-reissue");
  reissue.set_ca_order_id(original.ca_order_id());
  reissue.set_csr(csr->csr_pem);
  v1::ReissueCertificateResponse reissued;
  ::grpc::ClientContext first;
  EXPECT_EQ(stub().ReissueCertificate(&first, reissue, &reissued).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
  ::grpc::ClientContext second;
  ::grpc::Status status = stub().ReissueCertificate(&second, reissue, &reissued);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const nlohmann::json order = fake().Admin("GET", "orders/" + original.ca_order_id());
  EXPECT_EQ(order["certificates"].size(), 2u);  // one replacement, not two
  EXPECT_EQ(reissued.status().ca_order_id(),
            absl::StrCat(original.ca_order_id(), "-",
                         order["certificates"][1]["certificateID"].get<std::string>()));
}

}  // namespace
}  // namespace sslpanel::ca::sectigo::testing
