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

using ::testing::HasSubstr;

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

}  // namespace
}  // namespace sslpanel::ca::grpc_api
