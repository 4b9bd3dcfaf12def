// The shared service's guarantees with a CA that misbehaves: answers lost
// after the CA acted, rate limits with a retry-after, calls racing on one
// key. The CA is the real sandbox backend wrapped in fault injectors; the
// server and the database are real.
#include "ca-adapter/src/grpc/ca_adapter_service.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/synchronization/notification.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "ca-adapter/src/sandbox/sandbox_adapter.h"
#include "ca-adapter/src/testing/adapter_harness.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::grpc_api {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

// Passes every call to the real backend; tests hook Submit.
class FaultyBackend final : public app::CaBackend {
 public:
  explicit FaultyBackend(std::shared_ptr<app::CaBackend> inner) : inner_(std::move(inner)) {}

  // Runs before (true) or after (false) the real Submit; a non-OK status
  // replaces the answer.
  std::function<absl::Status(bool before, const app::CallOptions&)> submit_hook;
  std::atomic<int> submits{0};

  domain::Capabilities GetCapabilities() const override { return inner_->GetCapabilities(); }
  absl::StatusOr<domain::OrderStatus> Submit(const domain::SubmitCommand& command,
                                             const app::CallOptions& options) override {
    ++submits;
    if (submit_hook) {
      if (absl::Status s = submit_hook(true, options); !s.ok()) {
        return s;
      }
    }
    absl::StatusOr<domain::OrderStatus> status = inner_->Submit(command, options);
    if (submit_hook && status.ok()) {
      if (absl::Status s = submit_hook(false, options); !s.ok()) {
        return s;
      }
    }
    return status;
  }
  absl::StatusOr<domain::OrderStatus> GetStatus(absl::string_view id,
                                                const app::CallOptions& o) override {
    return inner_->GetStatus(id, o);
  }
  absl::StatusOr<domain::OrderStatus> Cancel(absl::string_view id, absl::string_view reason,
                                             const app::CallOptions& o) override {
    return inner_->Cancel(id, reason, o);
  }
  absl::StatusOr<domain::OrderStatus> Revoke(absl::string_view id, domain::RevocationReason reason,
                                             const app::CallOptions& o) override {
    return inner_->Revoke(id, reason, o);
  }
  absl::StatusOr<domain::OrderStatus> Reissue(const domain::ReissueCommand& c,
                                              const app::CallOptions& o) override {
    return inner_->Reissue(c, o);
  }
  absl::StatusOr<domain::OrderStatus> Renew(const domain::RenewCommand& c,
                                            const app::CallOptions& o) override {
    return inner_->Renew(c, o);
  }
  absl::StatusOr<std::vector<std::string>> ListApproverEmails(absl::string_view host,
                                                              const app::CallOptions& o) override {
    return inner_->ListApproverEmails(host, o);
  }
  absl::StatusOr<domain::OrderStatus> ChangeDcvMethod(const domain::ChangeDcvCommand& c,
                                                      const app::CallOptions& o) override {
    return inner_->ChangeDcvMethod(c, o);
  }
  absl::StatusOr<domain::OrderStatus> ResendDcvEmail(const domain::ResendDcvEmailCommand& c,
                                                     const app::CallOptions& o) override {
    return inner_->ResendDcvEmail(c, o);
  }
  absl::StatusOr<domain::OrderStatus> ResolveSubmission(const domain::ResolveSubmissionCommand& c,
                                                        const app::CallOptions& o) override {
    return inner_->ResolveSubmission(c, o);
  }

 private:
  std::shared_ptr<app::CaBackend> inner_;
};

class ServiceGuaranteesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SandboxConfig config;
    config.ca_dir = ca_dir_;
    auto harness = testing::AdapterHarness::Create(
        clock_,
        [this, config](mysql::ConnectionPool& pool,
                       const Clock& clock) -> absl::StatusOr<std::shared_ptr<app::CaBackend>> {
          auto inner = sandbox::MakeSandboxBackend(config, pool, clock, random_);
          if (!inner.ok()) {
            return inner.status();
          }
          backend_ = std::make_shared<FaultyBackend>(*std::move(inner));
          return backend_;
        });
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = *std::move(harness);
    auto csr = testing::MakeCsr({"faults.example.com"});
    ASSERT_TRUE(csr.ok());
    request_.set_idempotency_key("submit-1");
    request_.set_csr(csr->csr_pem);
    request_.set_common_name("faults.example.com");
    request_.set_validation_type(v1::VALIDATION_TYPE_DV);
    request_.set_period_months(12);
  }

  grpc::Status Submit(v1::SubmitOrderResponse* response, grpc::ClientContext* context = nullptr) {
    grpc::ClientContext local;
    return harness_->stub().SubmitOrder(context != nullptr ? context : &local, request_, response);
  }

  int64_t CaOrders() { return *harness_->QueryNumber("SELECT COUNT(*) FROM sandbox_orders"); }

  void TearDown() override {
    harness_.reset();
    std::filesystem::remove_all(ca_dir_);
  }

  FakeClock clock_{absl::FromTimeT(absl::ToTimeT(absl::Now()))};
  x509::OpenSslRandom random_;
  std::string ca_dir_ = sslpanel::testing::MakeTempDir("service-test-ca-");
  std::shared_ptr<FaultyBackend> backend_;
  std::unique_ptr<testing::AdapterHarness> harness_;
  v1::SubmitOrderRequest request_;
};

TEST_F(ServiceGuaranteesTest, RateLimitCarriesRetryAfterAndTheKeyStaysUsable) {
  backend_->submit_hook = [](bool before, const app::CallOptions&) {
    return before ? domain::WithRetryAfter(absl::ResourceExhaustedError("rate limited"),
                                           absl::Seconds(30))
                  : absl::OkStatus();
  };
  grpc::ClientContext context;
  v1::SubmitOrderResponse response;
  grpc::Status limited = Submit(&response, &context);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const auto& trailers = context.GetServerTrailingMetadata();
  auto retry_after = trailers.find("retry-after-seconds");
  ASSERT_NE(retry_after, trailers.end());
  EXPECT_EQ(std::string(retry_after->second.data(), retry_after->second.size()), "30");

  backend_->submit_hook = nullptr;
  ASSERT_TRUE(Submit(&response).ok());
  EXPECT_EQ(response.status().state(), v1::ORDER_STATE_PENDING);
  EXPECT_EQ(CaOrders(), 1);
}

TEST_F(ServiceGuaranteesTest, AnAnswerLostAfterTheCaActedIsRecoveredNotRepeated) {
  // The CA creates the order, then the connection breaks before we hear it.
  backend_->submit_hook = [](bool before, const app::CallOptions&) {
    return before ? absl::OkStatus() : absl::UnavailableError("connection reset by the CA");
  };
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(&response).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(CaOrders(), 1);

  app::CallOptions seen;
  backend_->submit_hook = [&](bool before, const app::CallOptions& options) {
    seen = options;
    return absl::OkStatus();
  };
  ASSERT_TRUE(Submit(&response).ok());
  EXPECT_TRUE(seen.resumed);
  EXPECT_EQ(CaOrders(), 1) << "the retry must find the first order, not create a second";
  EXPECT_EQ(*harness_->QueryNumber(
                "SELECT COUNT(*) FROM sandbox_orders WHERE idempotency_key = 'submit-1'"),
            1);
  EXPECT_EQ(response.status().state(), v1::ORDER_STATE_PENDING);
}

TEST_F(ServiceGuaranteesTest, CancelBySubmitKeyAfterALostAnswerCancelsThatOrder) {
  backend_->submit_hook = [](bool before, const app::CallOptions&) {
    return before ? absl::OkStatus() : absl::DeadlineExceededError("timed out");
  };
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(&response).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  backend_->submit_hook = nullptr;

  grpc::ClientContext context;
  v1::CancelOrderRequest cancel;
  cancel.set_idempotency_key("cancel-1");
  cancel.set_submit_idempotency_key("submit-1");
  v1::CancelOrderResponse cancelled;
  ASSERT_TRUE(harness_->stub().CancelOrder(&context, cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.status().state(), v1::ORDER_STATE_CANCELLED);
  EXPECT_FALSE(cancelled.status().ca_order_id().empty());
  EXPECT_EQ(CaOrders(), 1);
  // A late retry of the submit gets the order the cancel found, now cancelled.
  ASSERT_TRUE(Submit(&response).ok());
  EXPECT_EQ(response.status().ca_order_id(), cancelled.status().ca_order_id());
  EXPECT_EQ(CaOrders(), 1);
}

TEST_F(ServiceGuaranteesTest, ACallRacingARunningCallWithTheSameKeyIsAborted) {
  absl::Notification inside, release;
  backend_->submit_hook = [&](bool before, const app::CallOptions&) {
    if (before) {
      inside.Notify();
      release.WaitForNotification();
    }
    return absl::OkStatus();
  };
  v1::SubmitOrderResponse first;
  grpc::Status first_status;
  std::thread slow([&] { first_status = Submit(&first); });
  inside.WaitForNotification();
  v1::SubmitOrderResponse second;
  grpc::Status racing = Submit(&second);
  EXPECT_EQ(racing.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(racing.error_message(), HasSubstr("in progress"));
  release.Notify();
  slow.join();
  ASSERT_TRUE(first_status.ok());
  ASSERT_TRUE(Submit(&second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(backend_->submits.load(), 1);
  EXPECT_EQ(CaOrders(), 1);
}

TEST_F(ServiceGuaranteesTest, ADefinitiveErrorIsTheAnswerForEver) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(&submitted).ok());
  v1::RevokeCertificateRequest revoke;
  revoke.set_idempotency_key("revoke-early");
  revoke.set_ca_order_id(submitted.status().ca_order_id());
  v1::RevokeCertificateResponse response;
  grpc::ClientContext first_context;
  EXPECT_EQ(harness_->stub().RevokeCertificate(&first_context, revoke, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  clock_.Advance(absl::Seconds(5));  // the order is issued now
  v1::GetOrderStatusRequest poll;
  poll.set_ca_order_id(submitted.status().ca_order_id());
  v1::GetOrderStatusResponse polled;
  grpc::ClientContext poll_context;
  ASSERT_TRUE(harness_->stub().GetOrderStatus(&poll_context, poll, &polled).ok());
  ASSERT_EQ(polled.status().state(), v1::ORDER_STATE_ISSUED);
  grpc::ClientContext replay_context;
  EXPECT_EQ(harness_->stub().RevokeCertificate(&replay_context, revoke, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "a replay returns the first answer, even an error";
}

TEST_F(ServiceGuaranteesTest, HoldSignalsTravelAsTheirTrailersAndNothingElseDoes) {
  struct Case {
    absl::Status error;
    std::string outcome_unknown;
    std::string account_problem;
  };
  const Case cases[] = {
      {domain::OutcomeUnknown("answer lost after AutoApplySSL"), "answer lost after AutoApplySSL",
       ""},
      {domain::AccountProblem("no credit left (-13)"), "", "no credit left (-13)"},
      {absl::UnavailableError("connection refused"), "", ""},
      {absl::DeadlineExceededError("slow CA"), "", ""},
      {absl::FailedPreconditionError("bad state"), "", ""},
      {absl::InvalidArgumentError("csr: bad"), "", ""},
  };
  int round = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.error.ToString());
    request_.set_idempotency_key(absl::StrCat("hold-", ++round));
    backend_->submit_hook = [&](bool before, const app::CallOptions&) {
      return before ? c.error : absl::OkStatus();
    };
    grpc::ClientContext context;
    v1::SubmitOrderResponse response;
    grpc::Status status = Submit(&response, &context);
    EXPECT_EQ(static_cast<int>(status.error_code()), static_cast<int>(c.error.code()));
    EXPECT_EQ(Trailer(context, "ca-outcome-unknown"), c.outcome_unknown);
    EXPECT_EQ(Trailer(context, "ca-account-problem"), c.account_problem);
  }
  EXPECT_EQ(CaOrders(), 0);
}

TEST_F(ServiceGuaranteesTest, CapabilitiesDeclareTheDcvOperations) {
  grpc::ClientContext context;
  v1::GetCapabilitiesResponse caps;
  ASSERT_TRUE(harness_->stub().GetCapabilities(&context, v1::GetCapabilitiesRequest(), &caps).ok());
  EXPECT_TRUE(caps.supports_change_dcv_method());
  EXPECT_TRUE(caps.supports_resend_dcv_email());
  EXPECT_TRUE(caps.supports_list_approver_emails());
  EXPECT_THAT(caps.dcv_methods(), Contains(v1::DCV_METHOD_HTTPS));
  EXPECT_FALSE(caps.has_status_polling()) << "the sandbox may be polled as often as one likes";
}

TEST_F(ServiceGuaranteesTest, DcvOperationsChangeThePendingOrderOncePerKey) {
  v1::SubmitOrderResponse submitted;
  ASSERT_TRUE(Submit(&submitted).ok());
  const std::string order = submitted.status().ca_order_id();
  ASSERT_EQ(submitted.status().dcv_instructions(0).method(), v1::DCV_METHOD_DNS);

  grpc::ClientContext list_context;
  v1::ListApproverEmailsRequest list;
  list.set_host_name("faults.example.com");
  v1::ListApproverEmailsResponse approvers;
  ASSERT_TRUE(harness_->stub().ListApproverEmails(&list_context, list, &approvers).ok());
  EXPECT_THAT(
      approvers.approver_emails(),
      IsSupersetOf({"admin@example.com", "administrator@example.com", "hostmaster@example.com",
                    "postmaster@example.com", "webmaster@example.com"}));

  v1::ChangeDcvMethodRequest change;
  change.set_idempotency_key("dcv-1");
  change.set_ca_order_id(order);
  v1::DomainValidation* dv = change.add_domain_validations();
  dv->set_host_name("faults.example.com");
  dv->set_method(v1::DCV_METHOD_EMAIL);
  dv->set_approver_email("admin@example.com");
  v1::ChangeDcvMethodResponse changed;
  grpc::ClientContext change_context;
  ASSERT_TRUE(harness_->stub().ChangeDcvMethod(&change_context, change, &changed).ok());
  ASSERT_EQ(changed.status().dcv_instructions_size(), 1);
  EXPECT_EQ(changed.status().dcv_instructions(0).method(), v1::DCV_METHOD_EMAIL);
  EXPECT_EQ(changed.status().dcv_instructions(0).approver_email(), "admin@example.com");
  // Stored: a status read shows it.
  v1::GetOrderStatusRequest poll;
  poll.set_ca_order_id(order);
  v1::GetOrderStatusResponse polled;
  grpc::ClientContext poll_context;
  ASSERT_TRUE(harness_->stub().GetOrderStatus(&poll_context, poll, &polled).ok());
  EXPECT_EQ(polled.status().dcv_instructions(0).method(), v1::DCV_METHOD_EMAIL);

  // The same key with another request is a caller bug.
  change.mutable_domain_validations(0)->set_method(v1::DCV_METHOD_HTTPS);
  change.mutable_domain_validations(0)->clear_approver_email();
  grpc::ClientContext reuse_context;
  EXPECT_EQ(harness_->stub().ChangeDcvMethod(&reuse_context, change, &changed).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  // An address the CA does not offer: INVALID_ARGUMENT naming it.
  change.set_idempotency_key("dcv-2");
  change.mutable_domain_validations(0)->set_method(v1::DCV_METHOD_EMAIL);
  change.mutable_domain_validations(0)->set_approver_email("ceo@example.com");
  grpc::ClientContext wrong_context;
  grpc::Status wrong = harness_->stub().ChangeDcvMethod(&wrong_context, change, &changed);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(wrong.error_message(), HasSubstr("domain_validations[0].approver_email"));
  EXPECT_THAT(wrong.error_message(), HasSubstr("ceo@example.com"));

  v1::ResendDcvEmailRequest resend;
  resend.set_idempotency_key("mail-1");
  resend.set_ca_order_id(order);
  v1::ResendDcvEmailResponse resent;
  grpc::ClientContext resend_context;
  ASSERT_TRUE(harness_->stub().ResendDcvEmail(&resend_context, resend, &resent).ok());
  EXPECT_THAT(resent.status().dcv_instructions(0).status(),
              HasSubstr("sent again to admin@example.com"));

  // Issued: nothing to validate any more.
  clock_.Advance(absl::Seconds(5));
  grpc::ClientContext issued_poll;
  ASSERT_TRUE(harness_->stub().GetOrderStatus(&issued_poll, poll, &polled).ok());
  ASSERT_EQ(polled.status().state(), v1::ORDER_STATE_ISSUED);
  change.set_idempotency_key("dcv-3");
  change.mutable_domain_validations(0)->set_method(v1::DCV_METHOD_DNS);
  change.mutable_domain_validations(0)->clear_approver_email();
  grpc::ClientContext late_context;
  grpc::Status late = harness_->stub().ChangeDcvMethod(&late_context, change, &changed);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("issued"));
}

TEST_F(ServiceGuaranteesTest, DcvRequestsNameTheirBadField) {
  struct Case {
    std::function<grpc::Status(grpc::ClientContext*)> call;
    std::string field;
  };
  const Case cases[] = {
      {[&](grpc::ClientContext* c) {
         v1::ListApproverEmailsResponse r;
         return harness_->stub().ListApproverEmails(c, v1::ListApproverEmailsRequest(), &r);
       },
       "host_name"},
      {[&](grpc::ClientContext* c) {
         v1::ChangeDcvMethodRequest q;
         q.set_ca_order_id("sbx-1");
         v1::ChangeDcvMethodResponse r;
         return harness_->stub().ChangeDcvMethod(c, q, &r);
       },
       "idempotency_key"},
      {[&](grpc::ClientContext* c) {
         v1::ChangeDcvMethodRequest q;
         q.set_idempotency_key("k");
         q.set_ca_order_id("sbx-1");
         v1::ChangeDcvMethodResponse r;
         return harness_->stub().ChangeDcvMethod(c, q, &r);
       },
       "domain_validations"},
      {[&](grpc::ClientContext* c) {
         v1::ResendDcvEmailRequest q;
         q.set_idempotency_key("k");
         v1::ResendDcvEmailResponse r;
         return harness_->stub().ResendDcvEmail(c, q, &r);
       },
       "ca_order_id"},
      {[&](grpc::ClientContext* c) {
         v1::ResolveSubmissionRequest q;
         q.set_submit_idempotency_key("submit-1");
         q.set_reason("why");
         v1::ResolveSubmissionResponse r;
         return harness_->stub().ResolveSubmission(c, q, &r);
       },
       "resolution"},
      {[&](grpc::ClientContext* c) {
         v1::ResolveSubmissionRequest q;
         q.set_submit_idempotency_key("submit-1");
         q.set_resubmit(true);
         v1::ResolveSubmissionResponse r;
         return harness_->stub().ResolveSubmission(c, q, &r);
       },
       "reason"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    grpc::ClientContext context;
    grpc::Status status = c.call(&context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr(c.field));
  }
}

TEST_F(ServiceGuaranteesTest, ALostAnswerHoldsUntilResolvedAndTheReplayAnswersWithTheChoice) {
  // The sandbox's lost-answer label: the CA's answer never arrives.
  auto csr = testing::MakeCsr({"www.lostanswer.example.com"});
  ASSERT_TRUE(csr.ok());
  request_.set_csr(csr->csr_pem);
  request_.set_common_name("www.lostanswer.example.com");
  grpc::ClientContext context;
  v1::SubmitOrderResponse response;
  grpc::Status held = Submit(&response, &context);
  EXPECT_EQ(held.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(Trailer(context, "ca-outcome-unknown"), HasSubstr("submit-1"));
  grpc::ClientContext again_context;
  EXPECT_EQ(Submit(&response, &again_context).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "never sent again by itself";
  EXPECT_EQ(CaOrders(), 0);

  // An operator found the order by hand (here: another one at this CA).
  v1::SubmitOrderRequest other = request_;
  other.set_idempotency_key("found-by-hand");
  auto other_csr = testing::MakeCsr({"found.example.com"});
  ASSERT_TRUE(other_csr.ok());
  other.set_csr(other_csr->csr_pem);
  other.set_common_name("found.example.com");
  v1::SubmitOrderResponse found;
  grpc::ClientContext found_context;
  ASSERT_TRUE(harness_->stub().SubmitOrder(&found_context, other, &found).ok());

  v1::ResolveSubmissionRequest resolve;
  resolve.set_submit_idempotency_key("submit-1");
  resolve.set_attach_ca_order_id(found.status().ca_order_id());
  resolve.set_operator_("spiffe://sslpanel.local/ops/alice");
  resolve.set_reason("found in the CA portal");
  v1::ResolveSubmissionResponse resolved;
  grpc::ClientContext resolve_context;
  ASSERT_TRUE(harness_->stub().ResolveSubmission(&resolve_context, resolve, &resolved).ok());
  EXPECT_EQ(resolved.status().ca_order_id(), found.status().ca_order_id());
  grpc::ClientContext repeat_context;
  EXPECT_TRUE(harness_->stub().ResolveSubmission(&repeat_context, resolve, &resolved).ok())
      << "the same resolution again is harmless";
  resolve.clear_attach_ca_order_id();
  resolve.set_resubmit(true);
  grpc::ClientContext differ_context;
  EXPECT_EQ(harness_->stub().ResolveSubmission(&differ_context, resolve, &resolved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  grpc::ClientContext replay_context;
  ASSERT_TRUE(Submit(&response, &replay_context).ok());
  EXPECT_EQ(response.status().ca_order_id(), found.status().ca_order_id());
  EXPECT_EQ(CaOrders(), 1);
}

}  // namespace
}  // namespace sslpanel::ca::grpc_api
