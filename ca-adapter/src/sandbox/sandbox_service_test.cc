// The sandbox adapter through its real gRPC server and a real MariaDB
// database: every RPC, the scripted outcomes, idempotent replays (also
// across a restart), and certificates verified with OpenSSL against the
// sandbox root.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/sandbox/sandbox_adapter.h"
#include "ca-adapter/src/sandbox/sandbox_ca.h"
#include "ca-adapter/src/storage/mysql_idempotency_store.h"
#include "ca-adapter/src/testing/adapter_harness.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "ca-adapter/src/x509/certificate.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "common/testing/csr.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sandbox {
namespace {

using ::google::protobuf::util::TimeUtil;
using testing::AdapterHarness;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class SandboxServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ca_dir_ = sslpanel::testing::MakeTempDir("sandbox-ca-"); }
  void TearDown() override {
    harness_.reset();
    std::filesystem::remove_all(ca_dir_);
  }

  void Start(SandboxBehaviour behaviour = SandboxBehaviour(),
             server::AdapterOptions options = server::AdapterOptions()) {
    SandboxConfig config{ca_dir_, behaviour};
    auto harness = AdapterHarness::Create(
        clock_,
        [this, config](mysql::ConnectionPool& pool, const Clock& clock) {
          return MakeSandboxBackend(config, pool, clock, random_);
        },
        options);
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = *std::move(harness);
  }

  std::string Csr(const std::vector<std::string>& names) {
    auto csr = testing::MakeCsr(names);
    EXPECT_TRUE(csr.ok()) << csr.status();
    return csr.ok() ? csr->csr_pem : "";
  }

  v1::SubmitOrderRequest SubmitRequest(const std::string& key,
                                       const std::vector<std::string>& names) {
    v1::SubmitOrderRequest request;
    request.set_idempotency_key(key);
    request.set_csr(Csr(names));
    request.set_common_name(names[0]);
    for (size_t i = 1; i < names.size(); ++i) {
      request.add_additional_names(names[i]);
    }
    request.set_validation_type(v1::VALIDATION_TYPE_DV);
    request.set_period_months(12);
    return request;
  }

  grpc::Status Submit(const v1::SubmitOrderRequest& request, v1::SubmitOrderResponse* response) {
    grpc::ClientContext context;
    return harness_->stub().SubmitOrder(&context, request, response);
  }

  // Submits and expects a pending order; returns its CA reference.
  std::string SubmitPending(const std::string& key, const std::vector<std::string>& names) {
    v1::SubmitOrderResponse response;
    grpc::Status status = Submit(SubmitRequest(key, names), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status().state(), v1::ORDER_STATE_PENDING);
    return response.status().ca_order_id();
  }

  grpc::Status Poll(const std::string& ca_order_id, v1::CaOrderStatus* out) {
    grpc::ClientContext context;
    v1::GetOrderStatusRequest request;
    request.set_ca_order_id(ca_order_id);
    v1::GetOrderStatusResponse response;
    grpc::Status status = harness_->stub().GetOrderStatus(&context, request, &response);
    *out = response.status();
    return status;
  }

  v1::CaOrderStatus PollOk(const std::string& ca_order_id) {
    v1::CaOrderStatus status;
    grpc::Status rpc = Poll(ca_order_id, &status);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return status;
  }

  // Submits, lets the issue delay pass, and returns the issued status.
  v1::CaOrderStatus Issue(const std::string& key, const std::vector<std::string>& names) {
    const std::string id = SubmitPending(key, names);
    clock_.Advance(absl::Seconds(3));
    v1::CaOrderStatus status = PollOk(id);
    EXPECT_EQ(status.state(), v1::ORDER_STATE_ISSUED) << status.DebugString();
    return status;
  }

  grpc::Status Cancel(const std::string& key, const std::string& ca_order_id,
                      v1::CancelOrderResponse* response, const std::string& submit_key = "") {
    grpc::ClientContext context;
    v1::CancelOrderRequest request;
    request.set_idempotency_key(key);
    request.set_ca_order_id(ca_order_id);
    request.set_submit_idempotency_key(submit_key);
    request.set_reason("customer asked");
    return harness_->stub().CancelOrder(&context, request, response);
  }

  grpc::Status Revoke(const std::string& key, const std::string& ca_order_id,
                      v1::RevokeCertificateResponse* response) {
    grpc::ClientContext context;
    v1::RevokeCertificateRequest request;
    request.set_idempotency_key(key);
    request.set_ca_order_id(ca_order_id);
    request.set_reason(v1::REVOCATION_REASON_KEY_COMPROMISE);
    return harness_->stub().RevokeCertificate(&context, request, response);
  }

  int64_t CaOrders() {
    auto count = harness_->QueryNumber("SELECT COUNT(*) FROM sandbox_orders");
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  std::string RootPem() {
    std::ifstream in(ca_dir_ + "/" + kRootCertFile);
    std::stringstream contents;
    contents << in.rdbuf();
    return contents.str();
  }

  // A clock a little behind the real time: advanced by the tests, it stays
  // in the past, so the certificates it dates verify now.
  FakeClock clock_{absl::FromTimeT(absl::ToTimeT(absl::Now() - absl::Minutes(10)))};
  x509::OpenSslRandom random_;
  std::string ca_dir_;
  std::unique_ptr<AdapterHarness> harness_;
};

TEST_F(SandboxServiceTest, CapabilitiesDescribeTheSandbox) {
  Start();
  grpc::ClientContext context;
  v1::GetCapabilitiesResponse response;
  ASSERT_TRUE(harness_->stub().GetCapabilities(&context, {}, &response).ok());
  EXPECT_EQ(response.adapter(), "sandbox");
  EXPECT_TRUE(response.supports_cancel() && response.supports_revoke() &&
              response.supports_reissue() && response.supports_renew());
  EXPECT_THAT(response.validation_types(), SizeIs(3));
}

TEST_F(SandboxServiceTest, SubmitPollToIssuedAndVerifyWithOpenSsl) {
  Start();
  const std::vector<std::string> names = {"www.example.nl", "example.nl"};
  v1::SubmitOrderResponse submitted;
  v1::SubmitOrderRequest request = SubmitRequest("order-1", names);
  request.mutable_domain_validations()->Add()->set_host_name("example.nl");
  request.mutable_domain_validations(0)->set_method(v1::DCV_METHOD_HTTP);
  ASSERT_TRUE(Submit(request, &submitted).ok());
  const v1::CaOrderStatus& pending = submitted.status();
  EXPECT_EQ(pending.state(), v1::ORDER_STATE_PENDING);
  EXPECT_EQ(pending.raw_status(), "awaiting-validation");
  ASSERT_THAT(pending.dcv_instructions(), SizeIs(2));
  EXPECT_EQ(pending.dcv_instructions(0).method(), v1::DCV_METHOD_DNS);
  EXPECT_EQ(pending.dcv_instructions(0).dns_record_name(), "_pki-validation.www.example.nl");
  EXPECT_EQ(pending.dcv_instructions(0).dns_record_type(), "TXT");
  EXPECT_FALSE(pending.dcv_instructions(0).dns_record_value().empty());
  EXPECT_EQ(pending.dcv_instructions(1).method(), v1::DCV_METHOD_HTTP);
  EXPECT_THAT(pending.dcv_instructions(1).http_url(),
              HasSubstr("http://example.nl/.well-known/pki-validation/"));

  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(PollOk(pending.ca_order_id()).state(), v1::ORDER_STATE_PENDING);
  clock_.Advance(absl::Seconds(1));  // --issue_delay (2 s) has passed
  const v1::CaOrderStatus issued = PollOk(pending.ca_order_id());
  ASSERT_EQ(issued.state(), v1::ORDER_STATE_ISSUED);
  EXPECT_EQ(issued.raw_status(), "issued");
  EXPECT_THAT(issued.dcv_instructions(), SizeIs(0));
  const v1::IssuedCertificate& cert = issued.certificate();
  EXPECT_EQ(testing::VerifyCertificate(RootPem(), cert.chain_pem(), cert.certificate_pem(),
                                       "www.example.nl"),
            absl::OkStatus());
  EXPECT_EQ(
      testing::VerifyCertificate(RootPem(), cert.chain_pem(), cert.certificate_pem(), "example.nl"),
      absl::OkStatus());
  EXPECT_NE(
      testing::VerifyCertificate(RootPem(), cert.chain_pem(), cert.certificate_pem(), "other.nl"),
      absl::OkStatus());
  auto info = x509::InspectCertificate(cert.certificate_pem());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(cert.serial_number(), info->serial_number);
  EXPECT_EQ(cert.serial_number().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_THAT(info->dns_names, ::testing::ElementsAre("www.example.nl", "example.nl"));
  EXPECT_EQ(TimeUtil::TimestampToTimeT(cert.not_before()), absl::ToTimeT(clock_.Now()));
  EXPECT_EQ(TimeUtil::TimestampToTimeT(cert.not_after()),
            absl::ToTimeT(AddMonths(clock_.Now(), 12)));
  // Polling again returns the same certificate.
  EXPECT_EQ(PollOk(pending.ca_order_id()).certificate().serial_number(), cert.serial_number());
}

TEST_F(SandboxServiceTest, ZeroIssueDelayIssuesAtTheFirstPoll) {
  SandboxBehaviour behaviour;
  behaviour.issue_delay = absl::ZeroDuration();
  Start(behaviour);
  const std::string id = SubmitPending("k", {"zero.example.com"});
  EXPECT_EQ(PollOk(id).state(), v1::ORDER_STATE_ISSUED);
}

TEST_F(SandboxServiceTest, ReplayReturnsTheFirstAnswerAndCreatesOneOrder) {
  Start();
  const v1::SubmitOrderRequest request = SubmitRequest("same-key", {"replay.example.com"});
  v1::SubmitOrderResponse first, second;
  ASSERT_TRUE(Submit(request, &first).ok());
  clock_.Advance(absl::Seconds(5));  // issued by now: the replay still gets the first answer
  ASSERT_TRUE(Submit(request, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CaOrders(), 1);
}

TEST_F(SandboxServiceTest, ReplayAfterRestartReturnsTheFirstAnswer) {
  Start();
  const v1::SubmitOrderRequest request = SubmitRequest("restart-key", {"restart.example.com"});
  v1::SubmitOrderResponse first, second;
  ASSERT_TRUE(Submit(request, &first).ok());
  ASSERT_TRUE(harness_->Restart().ok());
  ASSERT_TRUE(Submit(request, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CaOrders(), 1);
  clock_.Advance(absl::Seconds(3));
  const v1::CaOrderStatus issued = PollOk(first.status().ca_order_id());
  EXPECT_EQ(issued.state(), v1::ORDER_STATE_ISSUED);
  // The restarted adapter signs with the same CA (loaded from --ca_dir).
  EXPECT_EQ(testing::VerifyCertificate(RootPem(), issued.certificate().chain_pem(),
                                       issued.certificate().certificate_pem()),
            absl::OkStatus());
}

TEST_F(SandboxServiceTest, RetentionDeletesFinishedKeysOnlyAndAReplayStillFindsItsOrder) {
  server::AdapterOptions options;
  options.idempotency_retention = absl::Hours(24);
  options.purge_interval = absl::ZeroDuration();  // no sweeper thread: sweeps run when called
  Start(SandboxBehaviour(), options);
  const v1::SubmitOrderRequest request = SubmitRequest("old-key", {"old.example.com"});
  v1::SubmitOrderResponse first;
  ASSERT_TRUE(Submit(request, &first).ok());
  v1::CancelOrderResponse tombstone;
  ASSERT_TRUE(Cancel("old-cancel", "", &tombstone, "never-submitted").ok());
  // A call that was interrupted (lease still running): never purged.
  storage::MysqlIdempotencyStore store(harness_->pool());
  app::IdempotencyRecord running;
  running.key = "running-key";
  running.operation = "SubmitOrder";
  running.fingerprint = "fp";
  ASSERT_TRUE(store.ClaimKey(running, clock_.Now(), absl::Hours(1)).ok());
  ASSERT_EQ(*harness_->QueryNumber("SELECT COUNT(*) FROM ca_idempotency"), 4);

  EXPECT_EQ(harness_->server().PurgeExpiredKeys(), 0) << "nothing is a day old yet";
  clock_.Advance(absl::Hours(23));
  const v1::SubmitOrderRequest fresh_request = SubmitRequest("fresh-key", {"fresh.example.com"});
  v1::SubmitOrderResponse fresh;
  ASSERT_TRUE(Submit(fresh_request, &fresh).ok());
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(harness_->server().PurgeExpiredKeys(), 2);  // old-key, old-cancel
  EXPECT_EQ(*harness_->QueryNumber("SELECT COUNT(*) FROM ca_idempotency"), 3);
  EXPECT_EQ(*harness_->QueryNumber("SELECT COUNT(*) FROM ca_idempotency WHERE idempotency_key"
                                   " IN ('running-key', 'fresh-key', 'never-submitted')"),
            3);

  // A caller that still replays a purged key finds the order it created
  // through the CA's own records: no second order.
  v1::SubmitOrderResponse replay;
  ASSERT_TRUE(Submit(request, &replay).ok());
  EXPECT_EQ(replay.status().ca_order_id(), first.status().ca_order_id());
  EXPECT_EQ(CaOrders(), 2);
}

TEST_F(SandboxServiceTest, SameKeyWithADifferentRequestIsAlreadyExists) {
  Start();
  v1::SubmitOrderResponse response;
  ASSERT_TRUE(Submit(SubmitRequest("reused", {"a.example.com"}), &response).ok());
  grpc::Status status = Submit(SubmitRequest("reused", {"b.example.com"}), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("idempotency_key"));
  v1::CancelOrderResponse cancelled;
  EXPECT_EQ(Cancel("reused", "sbx-whatever", &cancelled).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CaOrders(), 1);
}

TEST_F(SandboxServiceTest, InvalidRequestsNameTheFieldAndCreateNothing) {
  Start();
  struct Case {
    std::string field;
    std::function<void(v1::SubmitOrderRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"idempotency_key", [](auto& r) { r.clear_idempotency_key(); }},
      {"idempotency_key", [](auto& r) { r.set_idempotency_key(std::string(129, 'k')); }},
      {"csr", [](auto& r) { r.clear_csr(); }},
      {"csr",
       [](auto& r) {
         r.set_csr(
             "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n");
       }},
      {"common_name", [](auto& r) { r.clear_common_name(); }},
      {"common_name", [](auto& r) { r.set_common_name("not a host"); }},
      {"additional_names[0]", [](auto& r) { r.add_additional_names("-bad.example.com"); }},
      {"validation_type", [](auto& r) { r.clear_validation_type(); }},
      {"period_months", [](auto& r) { r.set_period_months(0); }},
      {"domain_validations[0].host_name",
       [](auto& r) { r.add_domain_validations()->set_host_name("elsewhere.example.com"); }},
      {"domain_validations[0].approver_email",
       [](auto& r) {
         auto* dv = r.add_domain_validations();
         dv->set_host_name(r.common_name());
         dv->set_method(v1::DCV_METHOD_EMAIL);
       }},
      {"organization", [](auto& r) { r.set_validation_type(v1::VALIDATION_TYPE_OV); }},
  };
  for (const Case& c : cases) {
    v1::SubmitOrderRequest request = SubmitRequest("bad-" + c.field, {"valid.example.com"});
    c.spoil(request);
    v1::SubmitOrderResponse response;
    grpc::Status status = Submit(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_TRUE(absl::StartsWith(status.error_message(), c.field + ":"))
        << c.field << " -> " << status.error_message();
  }
  v1::SubmitOrderRequest weak = SubmitRequest("weak-key", {"weak.example.com"});
  auto rsa1024 = testing::MakeCsr({"weak.example.com"}, testing::KeyType::kRsa1024);
  ASSERT_TRUE(rsa1024.ok());
  weak.set_csr(rsa1024->csr_pem);
  v1::SubmitOrderResponse response;
  grpc::Status status = Submit(weak, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("RSA key of 1024 bits"));
  sslpanel::testing::CsrSpec exponent3;
  exponent3.key = sslpanel::testing::CsrSpec::Key::kRsa;
  exponent3.rsa_exponent = 3;
  exponent3.common_name = "weak.example.com";
  exponent3.dns_names = {"weak.example.com"};
  v1::SubmitOrderRequest small_exponent = SubmitRequest("small-exponent", {"weak.example.com"});
  small_exponent.set_csr(sslpanel::testing::MakeCsr(exponent3));
  status = Submit(small_exponent, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("csr: RSA public exponent 3 is not accepted; it must be odd and at least "
                        "65537"));
  EXPECT_EQ(CaOrders(), 0);
  EXPECT_EQ(*harness_->QueryNumber("SELECT COUNT(*) FROM ca_idempotency"), 0);
}

TEST_F(SandboxServiceTest, RefuseLabelEndsRefusedWithAReason) {
  Start();
  const std::string id = SubmitPending("refuse-1", {"refuse.example.com"});
  clock_.Advance(absl::Seconds(3));
  const v1::CaOrderStatus status = PollOk(id);
  EXPECT_EQ(status.state(), v1::ORDER_STATE_REFUSED);
  EXPECT_EQ(status.raw_status(), "refused");
  EXPECT_THAT(status.refusal_reason(), HasSubstr("refuse.example.com"));
  EXPECT_FALSE(status.has_certificate());
  v1::CancelOrderResponse cancelled;
  EXPECT_EQ(Cancel("cancel-refused", id, &cancelled).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SandboxServiceTest, PendingLabelStaysPendingForEver) {
  Start();
  const std::string id = SubmitPending("pending-1", {"www.pending.example.com"});
  clock_.Advance(absl::Hours(24 * 30));
  const v1::CaOrderStatus status = PollOk(id);
  EXPECT_EQ(status.state(), v1::ORDER_STATE_PENDING);
  EXPECT_THAT(status.dcv_instructions(), SizeIs(1));
}

TEST_F(SandboxServiceTest, ShortLivedLabelGivesAShortValidity) {
  SandboxBehaviour behaviour;
  behaviour.short_validity = absl::Seconds(20);
  Start(behaviour);
  const v1::CaOrderStatus issued = Issue("short-1", {"shortlived.example.com"});
  const v1::IssuedCertificate& cert = issued.certificate();
  EXPECT_EQ(
      TimeUtil::TimestampToTimeT(cert.not_after()) - TimeUtil::TimestampToTimeT(cert.not_before()),
      20);
}

TEST_F(SandboxServiceTest, CancelPendingIsConfirmedAtOnceAndNeverIssues) {
  Start();
  const std::string id = SubmitPending("submit-c", {"cancel.example.com"});
  v1::CancelOrderResponse first, replay;
  ASSERT_TRUE(Cancel("cancel-c", id, &first).ok());
  EXPECT_EQ(first.status().state(), v1::ORDER_STATE_CANCELLED);
  EXPECT_EQ(first.status().raw_status(), "cancelled");
  ASSERT_TRUE(Cancel("cancel-c", id, &replay).ok());
  EXPECT_EQ(first.SerializeAsString(), replay.SerializeAsString());
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(PollOk(id).state(), v1::ORDER_STATE_CANCELLED);
  v1::RevokeCertificateResponse revoked;
  EXPECT_EQ(Revoke("revoke-c", id, &revoked).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SandboxServiceTest, IssueOnCancelLabelIssuesExactlyWhenTheCancelArrives) {
  Start();
  const std::string id = SubmitPending("submit-race", {"www.cancelrace.example.com"});
  clock_.Advance(absl::Hours(24));
  EXPECT_EQ(PollOk(id).state(), v1::ORDER_STATE_PENDING);  // waits for the cancel
  v1::CancelOrderResponse cancel;
  const grpc::Status refused = Cancel("cancel-race", id, &cancel);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("revoked, not cancelled"));
  const v1::CaOrderStatus issued = PollOk(id);
  EXPECT_EQ(issued.state(), v1::ORDER_STATE_ISSUED);
  EXPECT_TRUE(issued.has_certificate());
  v1::RevokeCertificateResponse revoked;
  ASSERT_TRUE(Revoke("revoke-race", id, &revoked).ok());
  EXPECT_EQ(revoked.status().state(), v1::ORDER_STATE_REVOKED);
}

TEST_F(SandboxServiceTest, IssueOnCancelLabelAlsoRacesACancelBySubmitKey) {
  Start();
  const std::string id = SubmitPending("submit-race-key", {"cancelrace.example.com"});
  v1::CancelOrderResponse cancel;
  EXPECT_EQ(Cancel("cancel-race-key", "", &cancel, "submit-race-key").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(PollOk(id).state(), v1::ORDER_STATE_ISSUED);
}

TEST_F(SandboxServiceTest, CancelDelayKeepsTheOrderPendingUntilAPollAfterIt) {
  SandboxBehaviour behaviour;
  behaviour.cancel_delay = absl::Seconds(30);
  Start(behaviour);
  const std::string id = SubmitPending("submit-d", {"slowcancel.example.com"});
  v1::CancelOrderResponse cancel;
  ASSERT_TRUE(Cancel("cancel-d", id, &cancel).ok());
  EXPECT_EQ(cancel.status().state(), v1::ORDER_STATE_PENDING);
  EXPECT_EQ(cancel.status().raw_status(), "cancellation-requested");
  clock_.Advance(absl::Seconds(10));  // past the issue delay: the accepted cancel stops issuance
  EXPECT_EQ(PollOk(id).state(), v1::ORDER_STATE_PENDING);
  clock_.Advance(absl::Seconds(21));
  EXPECT_EQ(PollOk(id).state(), v1::ORDER_STATE_CANCELLED);
}

TEST_F(SandboxServiceTest, CancelIssuedIsFailedPreconditionAndRevokeRevokes) {
  Start();
  const v1::CaOrderStatus issued = Issue("submit-r", {"revoke.example.com"});
  v1::CancelOrderResponse cancel;
  grpc::Status cancel_status = Cancel("cancel-r", issued.ca_order_id(), &cancel);
  EXPECT_EQ(cancel_status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(cancel_status.error_message(), HasSubstr("issued"));
  v1::RevokeCertificateResponse revoked;
  ASSERT_TRUE(Revoke("revoke-r", issued.ca_order_id(), &revoked).ok());
  EXPECT_EQ(revoked.status().state(), v1::ORDER_STATE_REVOKED);
  EXPECT_EQ(PollOk(issued.ca_order_id()).state(), v1::ORDER_STATE_REVOKED);
}

TEST_F(SandboxServiceTest, RevokeWithDelayStaysIssuedUntilConfirmed) {
  SandboxBehaviour behaviour;
  behaviour.cancel_delay = absl::Seconds(5);
  Start(behaviour);
  const v1::CaOrderStatus issued = Issue("submit-rd", {"slowrevoke.example.com"});
  v1::RevokeCertificateResponse revoked;
  ASSERT_TRUE(Revoke("revoke-rd", issued.ca_order_id(), &revoked).ok());
  EXPECT_EQ(revoked.status().state(), v1::ORDER_STATE_ISSUED);
  EXPECT_EQ(revoked.status().raw_status(), "revocation-requested");
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(PollOk(issued.ca_order_id()).state(), v1::ORDER_STATE_REVOKED);
}

TEST_F(SandboxServiceTest, RevokePendingIsFailedPrecondition) {
  Start();
  const std::string id = SubmitPending("submit-rp", {"early.example.com"});
  v1::RevokeCertificateResponse revoked;
  grpc::Status status = Revoke("revoke-rp", id, &revoked);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("pending"));
}

TEST_F(SandboxServiceTest, UnknownOrderIsNotFound) {
  Start();
  v1::CaOrderStatus status;
  EXPECT_EQ(Poll("sbx-unknown", &status).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CancelOrderResponse cancel;
  EXPECT_EQ(Cancel("c-unknown", "sbx-unknown", &cancel).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::RevokeCertificateResponse revoke;
  EXPECT_EQ(Revoke("r-unknown", "sbx-unknown", &revoke).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(SandboxServiceTest, CancelByAnUnusedSubmitKeyBlocksALateSubmit) {
  Start();
  v1::CancelOrderResponse cancel;
  ASSERT_TRUE(Cancel("cancel-lost", "", &cancel, "lost-submit").ok());
  EXPECT_EQ(cancel.status().state(), v1::ORDER_STATE_CANCELLED);
  EXPECT_TRUE(cancel.status().ca_order_id().empty());
  v1::SubmitOrderResponse response;
  grpc::Status late = Submit(SubmitRequest("lost-submit", {"late.example.com"}), &response);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("cancelled"));
  EXPECT_EQ(CaOrders(), 0);
}

TEST_F(SandboxServiceTest, CancelBySubmitKeyCancelsTheOrderItCreated) {
  Start();
  const std::string id = SubmitPending("known-submit", {"known.example.com"});
  v1::CancelOrderResponse cancel;
  ASSERT_TRUE(Cancel("cancel-known", "", &cancel, "known-submit").ok());
  EXPECT_EQ(cancel.status().ca_order_id(), id);
  EXPECT_EQ(cancel.status().state(), v1::ORDER_STATE_CANCELLED);
}

TEST_F(SandboxServiceTest, ReissueKeepsTheOriginalEndAndRenewStartsANewPeriod) {
  Start();
  const v1::CaOrderStatus original = Issue("submit-o", {"www.reissue.example", "reissue.example"});
  clock_.Advance(absl::Hours(24));

  grpc::ClientContext reissue_context;
  v1::ReissueCertificateRequest reissue;
  reissue.set_idempotency_key("reissue-1");
  reissue.set_ca_order_id(original.ca_order_id());
  reissue.set_csr(Csr({"www.reissue.example"}));
  reissue.set_common_name("www.reissue.example");
  v1::ReissueCertificateResponse reissued;
  ASSERT_TRUE(harness_->stub().ReissueCertificate(&reissue_context, reissue, &reissued).ok());
  EXPECT_NE(reissued.status().ca_order_id(), original.ca_order_id());
  EXPECT_EQ(reissued.status().state(), v1::ORDER_STATE_PENDING);
  clock_.Advance(absl::Seconds(3));
  const v1::CaOrderStatus replacement = PollOk(reissued.status().ca_order_id());
  ASSERT_EQ(replacement.state(), v1::ORDER_STATE_ISSUED);
  EXPECT_EQ(TimeUtil::TimestampToTimeT(replacement.certificate().not_after()),
            TimeUtil::TimestampToTimeT(original.certificate().not_after()));
  EXPECT_NE(replacement.certificate().serial_number(), original.certificate().serial_number());
  EXPECT_EQ(PollOk(original.ca_order_id()).state(), v1::ORDER_STATE_ISSUED);

  grpc::ClientContext renew_context;
  v1::RenewOrderRequest renew;
  renew.set_idempotency_key("renew-1");
  renew.set_ca_order_id(original.ca_order_id());
  renew.set_csr(Csr({"www.reissue.example", "reissue.example"}));
  renew.set_period_months(24);
  v1::RenewOrderResponse renewed;
  ASSERT_TRUE(harness_->stub().RenewOrder(&renew_context, renew, &renewed).ok());
  clock_.Advance(absl::Seconds(3));
  const v1::CaOrderStatus renewal = PollOk(renewed.status().ca_order_id());
  ASSERT_EQ(renewal.state(), v1::ORDER_STATE_ISSUED);
  EXPECT_EQ(TimeUtil::TimestampToTimeT(renewal.certificate().not_after()),
            absl::ToTimeT(AddMonths(clock_.Now(), 24)));
  auto names = x509::InspectCertificate(renewal.certificate().certificate_pem());
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(names->dns_names, ::testing::ElementsAre("www.reissue.example", "reissue.example"));
  EXPECT_EQ(CaOrders(), 3);
}

TEST_F(SandboxServiceTest, ReissueOfAPendingOrderIsFailedPrecondition) {
  Start();
  const std::string id = SubmitPending("submit-p", {"notyet.example.com"});
  grpc::ClientContext context;
  v1::ReissueCertificateRequest reissue;
  reissue.set_idempotency_key("reissue-p");
  reissue.set_ca_order_id(id);
  reissue.set_csr(Csr({"notyet.example.com"}));
  v1::ReissueCertificateResponse response;
  grpc::Status status = harness_->stub().ReissueCertificate(&context, reissue, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("pending"));
  EXPECT_EQ(CaOrders(), 1);
}

}  // namespace
}  // namespace sslpanel::ca::sandbox
