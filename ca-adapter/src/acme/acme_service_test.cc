// The ACME adapter through its real gRPC server and a real MariaDB database
// against a real Pebble started per test (challenges always valid, 5% of
// good nonces rejected): every RPC, replays across a restart, recovery of an
// order whose creation answer was lost, external account binding, a Pebble
// restarted with the adapter's database kept, the challenge pre-flight (fake
// DNS, loopback HTTP), and the issued chain verified with OpenSSL against
// Pebble's own root.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ca-adapter/src/acme/acme_adapter.h"
#include "ca-adapter/src/acme/jose.h"
#include "ca-adapter/src/app/idempotency_store.h"
#include "ca-adapter/src/grpc/fingerprint.h"
#include "ca-adapter/src/storage/mysql_idempotency_store.h"
#include "ca-adapter/src/testing/adapter_harness.h"
#include "ca-adapter/src/testing/fake_dns.h"
#include "ca-adapter/src/testing/pebble.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "ca-adapter/src/x509/certificate.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace sslpanel::ca::acme {
namespace {

using testing::AdapterHarness;
using ::testing::HasSubstr;
using testing::Pebble;
using ::testing::SizeIs;

class AcmeServiceTest : public ::testing::Test {
 protected:
  void StartPebble(const Pebble::Options& options = Pebble::Options()) {
    auto pebble = Pebble::Start(options);
    ASSERT_TRUE(pebble.ok()) << pebble.status();
    pebble_ = *std::move(pebble);
  }

  // The adapter over a fresh database, configured by config_ (read again
  // at every harness_->Restart(), so a test can change it in between).
  // Pebble validates every challenge, so the pre-flight is off unless a
  // test turns it on.
  void StartAdapter(AcmeBackendConfig backend = AcmeBackendConfig(), std::string eab_kid = "",
                    std::string eab_key_file = "") {
    if (pebble_ == nullptr) {
      StartPebble();
    }
    config_.directory_url = pebble_->directory_url();
    config_.ca_bundle = pebble_->tls_ca_file();
    config_.contact_email = "ops@example.org";
    config_.eab_kid = std::move(eab_kid);
    config_.eab_hmac_key_file = std::move(eab_key_file);
    config_.backend = backend;
    auto harness = AdapterHarness::Create(
        clock_,
        [this](mysql::ConnectionPool& pool,
               const Clock& clock) -> absl::StatusOr<std::shared_ptr<app::CaBackend>> {
          auto parts = MakeAcmeBackend(config_, pool, clock, random_, metrics_);
          if (!parts.ok()) {
            return parts.status();
          }
          parts_ = *parts;
          return parts->backend;
        });
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = *std::move(harness);
  }

  v1::SubmitOrderRequest SubmitRequest(const std::string& key,
                                       const std::vector<std::string>& names) {
    auto csr = testing::MakeCsr(names);
    EXPECT_TRUE(csr.ok());
    v1::SubmitOrderRequest request;
    request.set_idempotency_key(key);
    request.set_csr(csr->csr_pem);
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

  std::string SubmitPending(const std::string& key, const std::vector<std::string>& names) {
    v1::SubmitOrderResponse response;
    grpc::Status status = Submit(SubmitRequest(key, names), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status().state(), v1::ORDER_STATE_PENDING);
    return response.status().ca_order_id();
  }

  grpc::Status Poll(const std::string& id, v1::CaOrderStatus* out) {
    grpc::ClientContext context;
    v1::GetOrderStatusRequest request;
    request.set_ca_order_id(id);
    v1::GetOrderStatusResponse response;
    grpc::Status status = harness_->stub().GetOrderStatus(&context, request, &response);
    *out = response.status();
    return status;
  }

  // Polls as the workflow would until the order leaves PENDING (bounded).
  v1::CaOrderStatus PollUntilSettled(const std::string& id) {
    v1::CaOrderStatus status;
    for (int i = 0; i < 30; ++i) {
      grpc::Status rpc = Poll(id, &status);
      EXPECT_TRUE(rpc.ok()) << rpc.error_message();
      if (!rpc.ok() || status.state() != v1::ORDER_STATE_PENDING) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    return status;
  }

  v1::CaOrderStatus Issue(const std::string& key, const std::vector<std::string>& names) {
    const v1::CaOrderStatus status = PollUntilSettled(SubmitPending(key, names));
    EXPECT_EQ(status.state(), v1::ORDER_STATE_ISSUED) << status.DebugString();
    return status;
  }

  grpc::Status Cancel(const std::string& key, const std::string& id,
                      v1::CancelOrderResponse* response) {
    grpc::ClientContext context;
    v1::CancelOrderRequest request;
    request.set_idempotency_key(key);
    request.set_ca_order_id(id);
    return harness_->stub().CancelOrder(&context, request, response);
  }

  grpc::Status Revoke(const std::string& key, const std::string& id,
                      v1::RevokeCertificateResponse* response) {
    grpc::ClientContext context;
    v1::RevokeCertificateRequest request;
    request.set_idempotency_key(key);
    request.set_ca_order_id(id);
    request.set_reason(v1::REVOCATION_REASON_KEY_COMPROMISE);
    return harness_->stub().RevokeCertificate(&context, request, response);
  }

  void ExpectVerifiesAgainstPebble(const v1::IssuedCertificate& cert, const std::string& host) {
    auto root = pebble_->RootPem();
    auto intermediate = pebble_->IntermediatePem();
    ASSERT_TRUE(root.ok() && intermediate.ok());
    EXPECT_EQ(testing::VerifyCertificate(*root, cert.chain_pem(), cert.certificate_pem(), host),
              absl::OkStatus());
    // The chain served with the certificate is Pebble's intermediate.
    EXPECT_EQ(testing::VerifyCertificate(*root, *intermediate, cert.certificate_pem(), host),
              absl::OkStatus());
    EXPECT_THAT(cert.chain_pem(), HasSubstr(absl::StripSuffix(*intermediate, "\n")));
  }

  int64_t Count(const std::string& sql) {
    auto count = harness_->QueryNumber(sql);
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  SystemClock clock_;
  x509::OpenSslRandom random_;
  prometheus::Registry metrics_;  // outlives harness_, whose backend records into it
  std::unique_ptr<Pebble> pebble_;
  AcmeConfig config_ = [] {
    AcmeConfig config;
    config.challenge_preflight = false;
    return config;
  }();
  AcmeParts parts_;
  std::unique_ptr<AdapterHarness> harness_;
};

TEST_F(AcmeServiceTest, CapabilitiesDescribeAnAcmeCa) {
  StartAdapter();
  grpc::ClientContext context;
  v1::GetCapabilitiesResponse response;
  ASSERT_TRUE(harness_->stub().GetCapabilities(&context, {}, &response).ok());
  EXPECT_EQ(response.adapter(), "acme");
  EXPECT_THAT(response.validation_types(), ::testing::ElementsAre(v1::VALIDATION_TYPE_DV));
  EXPECT_THAT(response.dcv_methods(),
              ::testing::UnorderedElementsAre(v1::DCV_METHOD_DNS, v1::DCV_METHOD_HTTP));
}

TEST_F(AcmeServiceTest, SubmitReportsDcvThenPollsToAnIssuedChainThatPebblesRootTrusts) {
  AcmeBackendConfig backend;
  backend.driver.challenge_delay = absl::Seconds(2);  // the customer's time to publish
  StartAdapter(backend);
  v1::SubmitOrderRequest request = SubmitRequest("order-1", {"www.acme.example", "acme.example"});
  auto* dv = request.add_domain_validations();
  dv->set_host_name("acme.example");
  dv->set_method(v1::DCV_METHOD_HTTP);
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(request, &submitted).ok());
  const v1::CaOrderStatus& pending = submitted.status();
  EXPECT_EQ(pending.state(), v1::ORDER_STATE_PENDING);
  EXPECT_TRUE(absl::StartsWith(pending.ca_order_id(), "https://127.0.0.1:"));
  EXPECT_EQ(pending.raw_status(), "pending");
  ASSERT_THAT(pending.dcv_instructions(), SizeIs(2));

  // The account key's thumbprint, as the CA will expect it in responses.
  auto key_pem = Count("SELECT COUNT(*) FROM acme_accounts");
  EXPECT_EQ(key_pem, 1);
  for (const v1::DcvInstruction& i : pending.dcv_instructions()) {
    EXPECT_EQ(i.status(), "pending");
    if (i.host_name() == "www.acme.example") {
      EXPECT_EQ(i.method(), v1::DCV_METHOD_DNS);
      EXPECT_EQ(i.dns_record_name(), "_acme-challenge.www.acme.example");
      EXPECT_EQ(i.dns_record_type(), "TXT");
      EXPECT_EQ(i.dns_record_value().size(), 43u);  // base64url of a SHA-256
    } else {
      EXPECT_EQ(i.method(), v1::DCV_METHOD_HTTP);
      const std::vector<std::string> parts = absl::StrSplit(i.http_url(), '/');
      EXPECT_TRUE(
          absl::StartsWith(i.http_url(), "http://acme.example/.well-known/acme-challenge/"));
      EXPECT_TRUE(absl::StartsWith(i.http_content(), parts.back() + "."))
          << "key authorization = token.thumbprint";
    }
  }
  // Before the delay the CA is not asked to validate: the order stays pending.
  v1::CaOrderStatus early;
  ASSERT_TRUE(Poll(pending.ca_order_id(), &early).ok());
  EXPECT_EQ(early.state(), v1::ORDER_STATE_PENDING);
  absl::SleepFor(absl::Seconds(2));
  const v1::CaOrderStatus issued = PollUntilSettled(pending.ca_order_id());
  ASSERT_EQ(issued.state(), v1::ORDER_STATE_ISSUED) << issued.DebugString();
  EXPECT_EQ(issued.raw_status(), "valid");
  const v1::IssuedCertificate& cert = issued.certificate();
  ExpectVerifiesAgainstPebble(cert, "www.acme.example");
  ExpectVerifiesAgainstPebble(cert, "acme.example");
  auto info = x509::InspectCertificate(cert.certificate_pem());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(cert.serial_number(), info->serial_number);
  EXPECT_EQ(cert.not_after().seconds(), absl::ToUnixSeconds(info->not_after));
  EXPECT_THAT(info->dns_names, ::testing::UnorderedElementsAre("www.acme.example", "acme.example"));
  auto at_pebble = pebble_->CertificateStatus(cert.serial_number());
  ASSERT_TRUE(at_pebble.ok());
  EXPECT_EQ((*at_pebble)["Status"], "Valid");
}

TEST_F(AcmeServiceTest, ReplaysReturnTheFirstAnswerAlsoAfterARestartWithTheSameAccount) {
  StartAdapter();
  const v1::SubmitOrderRequest request = SubmitRequest("replay-1", {"replay.acme.example"});
  v1::SubmitOrderResponse first, second, third;
  ASSERT_TRUE(Submit(request, &first).ok());
  ASSERT_TRUE(Submit(request, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  auto account_url = [this] {
    auto count = harness_->QueryNumber(
        "SELECT CRC32(account_url) FROM acme_accounts WHERE account_url IS NOT NULL");
    return count.ok() ? *count : -1;
  };
  const int64_t account_before = account_url();

  ASSERT_TRUE(harness_->Restart().ok());
  ASSERT_TRUE(Submit(request, &third).ok());
  EXPECT_EQ(first.SerializeAsString(), third.SerializeAsString());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 1);
  // The restarted adapter polls with the account from the database.
  const v1::CaOrderStatus issued = PollUntilSettled(first.status().ca_order_id());
  EXPECT_EQ(issued.state(), v1::ORDER_STATE_ISSUED);
  EXPECT_EQ(account_url(), account_before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_accounts"), 1);

  v1::SubmitOrderResponse conflict;
  grpc::Status reused = Submit(SubmitRequest("replay-1", {"other.acme.example"}), &conflict);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(AcmeServiceTest, CancelBeforeIssuanceDeactivatesTheAuthorizations) {
  AcmeBackendConfig backend;
  backend.driver.challenge_delay = absl::Hours(1);  // the customer never publishes
  StartAdapter(backend);
  const std::string id = SubmitPending("submit-c", {"cancel.acme.example"});
  v1::RevokeCertificateResponse revoked;
  grpc::Status early_revoke = Revoke("revoke-early", id, &revoked);
  EXPECT_EQ(early_revoke.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(early_revoke.error_message(), HasSubstr("pending"));

  v1::CancelOrderResponse cancelled, replay;
  ASSERT_TRUE(Cancel("cancel-c", id, &cancelled).ok());
  EXPECT_EQ(cancelled.status().state(), v1::ORDER_STATE_CANCELLED);
  EXPECT_FALSE(cancelled.status().raw_status().empty());
  ASSERT_TRUE(Cancel("cancel-c", id, &replay).ok());
  EXPECT_EQ(cancelled.SerializeAsString(), replay.SerializeAsString());
  v1::CaOrderStatus status;
  ASSERT_TRUE(Poll(id, &status).ok());
  EXPECT_EQ(status.state(), v1::ORDER_STATE_CANCELLED);
}

TEST_F(AcmeServiceTest, AChangeOfDcvMethodBecomesTheOtherChallengeType) {
  AcmeBackendConfig backend;
  backend.driver.challenge_delay = absl::Hours(1);  // the customer has not published yet
  StartAdapter(backend);
  const std::string id = SubmitPending("submit-dcv", {"dcv.acme.example"});
  v1::CaOrderStatus before;
  ASSERT_TRUE(Poll(id, &before).ok());
  ASSERT_EQ(before.dcv_instructions_size(), 1);
  const v1::DcvMethod other = before.dcv_instructions(0).method() == v1::DCV_METHOD_DNS
                                  ? v1::DCV_METHOD_HTTP
                                  : v1::DCV_METHOD_DNS;

  v1::ChangeDcvMethodRequest change;
  change.set_idempotency_key("dcv-change-1");
  change.set_ca_order_id(id);
  v1::DomainValidation* dv = change.add_domain_validations();
  dv->set_host_name("dcv.acme.example");
  dv->set_method(other);
  v1::ChangeDcvMethodResponse changed;
  grpc::ClientContext context;
  grpc::Status status = harness_->stub().ChangeDcvMethod(&context, change, &changed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(changed.status().dcv_instructions_size(), 1);
  EXPECT_EQ(changed.status().dcv_instructions(0).method(), other);
  v1::CaOrderStatus after;
  ASSERT_TRUE(Poll(id, &after).ok());
  EXPECT_EQ(after.dcv_instructions(0).method(), other) << "kept with the order";

  // E-mail is no ACME challenge; the other DCV operations are not offered.
  change.set_idempotency_key("dcv-change-2");
  change.mutable_domain_validations(0)->set_method(v1::DCV_METHOD_EMAIL);
  change.mutable_domain_validations(0)->set_approver_email("admin@acme.example");
  grpc::ClientContext email_context;
  EXPECT_EQ(harness_->stub().ChangeDcvMethod(&email_context, change, &changed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListApproverEmailsRequest list;
  list.set_host_name("dcv.acme.example");
  v1::ListApproverEmailsResponse approvers;
  grpc::ClientContext list_context;
  grpc::Status no_list = harness_->stub().ListApproverEmails(&list_context, list, &approvers);
  EXPECT_EQ(no_list.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(no_list.error_message(), HasSubstr("supports_list_approver_emails"));
}

TEST_F(AcmeServiceTest, RevokeIssuedReachesPebbleWithTheReasonAndCancelIsRefused) {
  StartAdapter();
  const v1::CaOrderStatus issued = Issue("submit-r", {"revoke.acme.example"});
  v1::CancelOrderResponse cancelled;
  grpc::Status cancel = Cancel("cancel-r", issued.ca_order_id(), &cancelled);
  EXPECT_EQ(cancel.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(cancel.error_message(), HasSubstr("issued"));
  v1::RevokeCertificateResponse revoked;
  ASSERT_TRUE(Revoke("revoke-r", issued.ca_order_id(), &revoked).ok());
  EXPECT_EQ(revoked.status().state(), v1::ORDER_STATE_REVOKED);
  auto at_pebble = pebble_->CertificateStatus(issued.certificate().serial_number());
  ASSERT_TRUE(at_pebble.ok());
  EXPECT_EQ((*at_pebble)["Status"], "Revoked");
  EXPECT_EQ((*at_pebble)["Reason"], 1);  // keyCompromise
  v1::CaOrderStatus status;
  ASSERT_TRUE(Poll(issued.ca_order_id(), &status).ok());
  EXPECT_EQ(status.state(), v1::ORDER_STATE_REVOKED);
}

TEST_F(AcmeServiceTest, ReissueAndRenewAreNewOrdersThatIssue) {
  StartAdapter();
  const v1::CaOrderStatus original = Issue("submit-o", {"re.acme.example"});
  grpc::ClientContext reissue_context;
  v1::ReissueCertificateRequest reissue;
  reissue.set_idempotency_key("reissue-1");
  reissue.set_ca_order_id(original.ca_order_id());
  reissue.set_csr(testing::MakeCsr({"re.acme.example"})->csr_pem);
  v1::ReissueCertificateResponse reissued;
  ASSERT_TRUE(harness_->stub().ReissueCertificate(&reissue_context, reissue, &reissued).ok());
  EXPECT_NE(reissued.status().ca_order_id(), original.ca_order_id());
  const v1::CaOrderStatus replacement = PollUntilSettled(reissued.status().ca_order_id());
  ASSERT_EQ(replacement.state(), v1::ORDER_STATE_ISSUED);
  ExpectVerifiesAgainstPebble(replacement.certificate(), "re.acme.example");

  grpc::ClientContext renew_context;
  v1::RenewOrderRequest renew;
  renew.set_idempotency_key("renew-1");
  renew.set_ca_order_id(original.ca_order_id());
  renew.set_csr(testing::MakeCsr({"re.acme.example", "www.re.acme.example"})->csr_pem);
  renew.set_common_name("re.acme.example");
  renew.add_additional_names("www.re.acme.example");
  renew.set_period_months(12);
  v1::RenewOrderResponse renewed;
  ASSERT_TRUE(harness_->stub().RenewOrder(&renew_context, renew, &renewed).ok());
  const v1::CaOrderStatus renewal = PollUntilSettled(renewed.status().ca_order_id());
  ASSERT_EQ(renewal.state(), v1::ORDER_STATE_ISSUED);
  ExpectVerifiesAgainstPebble(renewal.certificate(), "www.re.acme.example");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 3);
}

TEST_F(AcmeServiceTest, RequestsTheCaCannotServeAreInvalidArgument) {
  StartAdapter();
  v1::SubmitOrderResponse response;
  v1::SubmitOrderRequest mismatch = SubmitRequest("bad-1", {"a.acme.example"});
  mismatch.set_csr(testing::MakeCsr({"b.acme.example"})->csr_pem);
  grpc::Status status = Submit(mismatch, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "csr:")) << status.error_message();

  v1::SubmitOrderRequest ov = SubmitRequest("bad-2", {"a.acme.example"});
  ov.set_validation_type(v1::VALIDATION_TYPE_OV);
  status = Submit(ov, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "validation_type:"));

  v1::SubmitOrderRequest email = SubmitRequest("bad-3", {"a.acme.example"});
  auto* dv = email.add_domain_validations();
  dv->set_host_name("a.acme.example");
  dv->set_method(v1::DCV_METHOD_EMAIL);
  dv->set_approver_email("admin@acme.example");
  status = Submit(email, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "domain_validations[0].method:"));

  v1::CaOrderStatus unknown;
  EXPECT_EQ(Poll("https://127.0.0.1:1/my-order/nope", &unknown).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 0);
}

TEST_F(AcmeServiceTest, PebblesBadNoncesAreRetriedTransparently) {
  AcmeBackendConfig backend;
  backend.driver.challenge_delay = absl::Hours(1);  // each poll: the order and its authorization
  StartAdapter(backend);
  const std::string id = SubmitPending("nonce-1", {"nonce.acme.example"});
  // About 200 signed requests: with 5% of good nonces rejected, the chance
  // that none is rejected is 0.95^200, about 0.004%.
  for (int i = 0; i < 100; ++i) {
    v1::CaOrderStatus status;
    grpc::Status rpc = Poll(id, &status);
    ASSERT_TRUE(rpc.ok()) << "poll " << i << ": " << rpc.error_message();
    ASSERT_EQ(status.state(), v1::ORDER_STATE_PENDING);
  }
  EXPECT_GT(parts_.client->bad_nonce_retries(), 0);
}

TEST_F(AcmeServiceTest, ASubmitWhoseAnswerWasLostAdoptsItsOrderInsteadOfCreatingAnother) {
  AcmeBackendConfig backend;
  backend.driver.challenge_delay = absl::Hours(1);
  StartAdapter(backend);
  // The crash: newOrder reached the CA, then the process died before it
  // stored anything but its claim on the key.
  const v1::SubmitOrderRequest request = SubmitRequest("lost-1", {"lost.acme.example"});
  auto account = parts_.accounts->Get(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(account.ok()) << account.status();
  auto orphan =
      parts_.client->NewOrder(*account, {"lost.acme.example"}, absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(orphan.ok()) << orphan.status();
  storage::MysqlIdempotencyStore store(harness_->pool());
  app::IdempotencyRecord claim;
  claim.key = "lost-1";
  claim.operation = "SubmitOrder";
  claim.fingerprint = grpc_api::Fingerprint("SubmitOrder", request);
  claim.request = request.SerializeAsString();
  // Claimed with a lease that is over at once, as after a crash.
  ASSERT_TRUE(store.ClaimKey(claim, clock_.Now(), absl::ZeroDuration()).ok());

  v1::SubmitOrderResponse response;
  grpc::Status status = Submit(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status().ca_order_id(), orphan->url);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 1);
}

TEST_F(AcmeServiceTest, ExternalAccountBindingIsRequiredAndWorksOnceConfigured) {
  constexpr char kMacKey[] = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
  Pebble::Options options;
  options.require_eab = true;
  options.eab_keys = {{"kid-1", kMacKey}};
  StartPebble(options);
  StartAdapter();  // no binding configured
  v1::SubmitOrderResponse response;
  const v1::SubmitOrderRequest request = SubmitRequest("eab-0", {"eab.acme.example"});
  grpc::Status refused = Submit(request, &response);
  // The adapter's configuration is wrong, not the customer's request: a
  // retryable answer, not the key's answer for ever.
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("external account binding"));

  const std::string key_dir = sslpanel::testing::MakeTempDir("eab-");
  const std::string key_file = key_dir + "/mac-key";
  std::ofstream(key_file) << kMacKey << "\n";
  config_.eab_kid = "kid-1";
  config_.eab_hmac_key_file = key_file;
  ASSERT_TRUE(harness_->Restart().ok());  // the operator fixes the flags
  grpc::Status accepted = Submit(request, &response);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();
  const v1::CaOrderStatus issued = PollUntilSettled(response.status().ca_order_id());
  ASSERT_EQ(issued.state(), v1::ORDER_STATE_ISSUED);
  ExpectVerifiesAgainstPebble(issued.certificate(), "eab.acme.example");
  std::filesystem::remove_all(key_dir);
}

// Pebble keeps accounts in memory: restarted, it answers the stored account
// URL with accountDoesNotExist. The adapter must register its stored key
// again and carry on, not refuse every order for ever.
TEST_F(AcmeServiceTest, ACaThatForgotTheAccountGetsTheSameKeyRegisteredAgain) {
  StartAdapter();
  Issue("before-restart", {"forgot.acme.example"});
  auto stored = [this](const char* column) {
    auto value = harness_->QueryNumber(absl::StrCat(
        "SELECT CRC32(", column, ") FROM acme_accounts WHERE account_url IS NOT NULL"));
    return value.ok() ? *value : -1;
  };
  const int64_t url_before = stored("account_url");
  const int64_t key_before = stored("account_key_pem");

  ASSERT_TRUE(pebble_->Restart().ok());
  // The adapter still has the old account URL in memory.
  const v1::CaOrderStatus issued = Issue("after-restart", {"forgot.acme.example"});
  ExpectVerifiesAgainstPebble(issued.certificate(), "forgot.acme.example");
  EXPECT_NE(stored("account_url"), url_before) << "the new registration is stored";
  EXPECT_EQ(stored("account_key_pem"), key_before) << "with the same key";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_accounts"), 1);

  // And again from the database alone, after both restart.
  ASSERT_TRUE(pebble_->Restart().ok());
  ASSERT_TRUE(harness_->Restart().ok());
  Issue("after-both-restart", {"forgot.acme.example"});
  EXPECT_EQ(stored("account_key_pem"), key_before);
}

// With the pre-flight on, a dns-01 challenge is answered only once the TXT
// record can be seen: against a CA that checks (Let's Encrypt), answering
// first makes the order invalid before the customer has published. Pebble
// validates whatever it is told, so the test sees exactly when the adapter
// told it: the order stays pending until the record is in the (fake) DNS.
TEST_F(AcmeServiceTest, ThePreflightAnswersADnsChallengeOnlyOnceTheRecordIsVisible) {
  auto dns = testing::FakeDns::Start();
  ASSERT_TRUE(dns.ok()) << dns.status();
  config_.challenge_preflight = true;
  config_.preflight.dns_server = (*dns)->address();
  config_.preflight.timeout = absl::Seconds(1);
  StartAdapter();
  const std::string id = SubmitPending("preflight-dns", {"dns.preflight.example"});
  v1::CaOrderStatus status;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Poll(id, &status).ok());
    ASSERT_EQ(status.state(), v1::ORDER_STATE_PENDING);
    ASSERT_THAT(status.dcv_instructions(), SizeIs(1));
    EXPECT_EQ(status.dcv_instructions(0).status(), "pending") << "not answered yet";
  }
  EXPECT_GE((*dns)->queries(), 3) << "every poll looks again";
  const v1::DcvInstruction& dcv = status.dcv_instructions(0);
  EXPECT_EQ(dcv.dns_record_name(), "_acme-challenge.dns.preflight.example");
  (*dns)->SetTxt(dcv.dns_record_name(), {"stale-value"});
  ASSERT_TRUE(Poll(id, &status).ok());
  EXPECT_EQ(status.state(), v1::ORDER_STATE_PENDING) << "a wrong value is not enough";

  (*dns)->SetTxt(dcv.dns_record_name(), {"stale-value", dcv.dns_record_value()});
  const v1::CaOrderStatus issued = PollUntilSettled(id);
  ASSERT_EQ(issued.state(), v1::ORDER_STATE_ISSUED) << issued.DebugString();
  ExpectVerifiesAgainstPebble(issued.certificate(), "dns.preflight.example");
}

TEST_F(AcmeServiceTest, ThePreflightAnswersAnHttpChallengeOnlyOnceTheFileIsServed) {
  std::mutex mu;
  std::string served;  // guarded by mu: the file's content, "" = 404
  std::vector<std::string> requests;
  auto site = http::Server::Start("127.0.0.1", 0, [&](const http::ServerRequest& request) {
    std::lock_guard<std::mutex> lock(mu);
    requests.push_back(absl::StrCat(request.Header("host"), request.path));
    return served.empty() ? http::Response{404, {}, ""} : http::Response{200, {}, served};
  });
  ASSERT_TRUE(site.ok());
  config_.challenge_preflight = true;
  config_.preflight.http_address = absl::StrCat("127.0.0.1:", (*site)->port());
  config_.preflight.timeout = absl::Seconds(1);
  StartAdapter();
  v1::SubmitOrderRequest request = SubmitRequest("preflight-http", {"http.preflight.example"});
  auto* dv = request.add_domain_validations();
  dv->set_host_name("http.preflight.example");
  dv->set_method(v1::DCV_METHOD_HTTP);
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(request, &submitted).ok());
  const std::string id = submitted.status().ca_order_id();
  ASSERT_THAT(submitted.status().dcv_instructions(), SizeIs(1));
  const v1::DcvInstruction dcv = submitted.status().dcv_instructions(0);
  ASSERT_EQ(dcv.method(), v1::DCV_METHOD_HTTP);
  v1::CaOrderStatus status;
  ASSERT_TRUE(Poll(id, &status).ok());
  ASSERT_EQ(status.state(), v1::ORDER_STATE_PENDING) << "answered before the file was served";
  ASSERT_THAT(status.dcv_instructions(), SizeIs(1));
  EXPECT_EQ(status.dcv_instructions(0).status(), "pending");
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_FALSE(requests.empty());
    // Fetched as the CA will: the name in the Host header, the URL's path.
    EXPECT_EQ("http://" + requests.back(), dcv.http_url());
    served = dcv.http_content() + "\n";
  }
  const v1::CaOrderStatus issued = PollUntilSettled(id);
  ASSERT_EQ(issued.state(), v1::ORDER_STATE_ISSUED) << issued.DebugString();
}

}  // namespace
}  // namespace sslpanel::ca::acme
