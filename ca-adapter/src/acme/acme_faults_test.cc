// The ACME adapter through its real gRPC server and a real MariaDB database
// against the scripted ACME CA (testing/fake_acme.h), for the failures a
// real Pebble cannot be made to produce: a newOrder that created an order
// but lost its answer followed by a CA that fails the search for it, an
// orders list that is too long or missing (Let's Encrypt has none), a CA
// that answers newOrder with another key's pending order (Let's Encrypt
// does), account trouble, and a slow account registration.
#include <grpcpp/grpcpp.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ca-adapter/src/acme/acme_backend.h"
#include "ca-adapter/src/testing/adapter_harness.h"
#include "ca-adapter/src/testing/fake_acme.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::acme {
namespace {

using testing::AdapterHarness;
using testing::FakeAcmeCa;
using ::testing::HasSubstr;

// Everything AcmeBackend refers to, kept alive with it.
struct Parts {
  std::unique_ptr<http::Client> http;
  std::unique_ptr<AcmeClient> client;
  std::unique_ptr<AcmeStore> store;
  std::unique_ptr<AccountProvider> accounts;
  std::unique_ptr<AcmeBackend> backend;
};

class AcmeFaultsTest : public ::testing::Test {
 protected:
  void StartCa(FakeAcmeCa::Options options = FakeAcmeCa::Options()) {
    auto ca = FakeAcmeCa::Start(options);
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *std::move(ca);
  }

  // The backend is built here rather than by MakeAcmeBackend, which accepts
  // https directories only. backend_config_ is read again at Restart().
  void StartAdapter() {
    if (ca_ == nullptr) {
      StartCa();
    }
    auto harness = AdapterHarness::Create(
        clock_,
        [this](mysql::ConnectionPool& pool,
               const Clock& clock) -> absl::StatusOr<std::shared_ptr<app::CaBackend>> {
          auto parts = std::make_shared<Parts>();
          parts->http = http::NewCurlClient({});
          AcmeClientOptions options;
          options.directory_url = ca_->directory_url();
          options.retry.initial_backoff = absl::Milliseconds(10);
          options.retry.max_backoff = absl::Milliseconds(50);
          parts->client = std::make_unique<AcmeClient>(*parts->http, clock, random_, options);
          parts->store = std::make_unique<AcmeStore>(pool);
          AccountConfig account;
          account.directory_url = ca_->directory_url();
          parts->accounts =
              std::make_unique<AccountProvider>(*parts->store, *parts->client, clock, account);
          parts->backend =
              std::make_unique<AcmeBackend>(backend_config_, *parts->client, *parts->accounts,
                                            *parts->store, clock, /*preflight=*/nullptr, metrics_);
          accounts_ = parts->accounts.get();
          return std::shared_ptr<app::CaBackend>(parts, parts->backend.get());
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

  int64_t Count(const std::string& sql) {
    auto count = harness_->QueryNumber(sql);
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  // newOrder creates the order, then its answer is lost (a proxy's 502).
  static std::optional<http::Response> LoseNewOrderAnswers(const std::string& path, bool before) {
    if (path == "/new-order" && !before) {
      return http::Response{502, {{"Content-Type", "text/html"}}, "<h1>Bad Gateway</h1>"};
    }
    return std::nullopt;
  }

  SystemClock clock_;
  x509::OpenSslRandom random_;
  prometheus::Registry metrics_;  // outlives harness_, whose backend records into it
  std::unique_ptr<FakeAcmeCa> ca_;
  AcmeBackendConfig backend_config_;
  AccountProvider* accounts_ = nullptr;
  std::unique_ptr<AdapterHarness> harness_;
};

// The reviewer's reproduction: the CA creates the order but the answer is
// lost (502), and the retry finds the CA failing to show that order (503).
// Searching must not take "could not look" for "none there".
TEST_F(AcmeFaultsTest, ALostNewOrderIsAdoptedNotDuplicatedWhenTheCaFailsTheSearch) {
  StartAdapter();
  const v1::SubmitOrderRequest request = SubmitRequest("lost-1", {"lost.faults.example"});
  ca_->set_fault(LoseNewOrderAnswers);
  v1::SubmitOrderResponse response;
  grpc::Status first = Submit(request, &response);
  EXPECT_EQ(first.error_code(), grpc::StatusCode::UNAVAILABLE) << first.error_message();
  ASSERT_EQ(ca_->orders_created(), 1);
  const std::string created = ca_->order_urls()[0];

  // Every fetch of that order fails while the retry searches for it.
  ca_->set_fault([](const std::string& path, bool before) -> std::optional<http::Response> {
    if (absl::StartsWith(path, "/order/") && before) {
      return FakeAcmeCa::Problem(503, "serverInternal", "try later");
    }
    return std::nullopt;
  });
  grpc::Status during = Submit(request, &response);
  EXPECT_EQ(during.error_code(), grpc::StatusCode::UNAVAILABLE) << during.error_message();
  EXPECT_THAT(during.error_message(), HasSubstr("cannot tell whether"));
  EXPECT_EQ(ca_->orders_created(), 1) << "a second CA order for one idempotency key";

  ca_->set_fault(nullptr);
  grpc::Status healed = Submit(request, &response);
  ASSERT_TRUE(healed.ok()) << healed.error_message();
  EXPECT_EQ(response.status().ca_order_id(), created);
  EXPECT_EQ(ca_->orders_created(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 1);
}

TEST_F(AcmeFaultsTest, AnOrdersListLongerThanThePageLimitStopsTheResumeInsteadOfCreating) {
  FakeAcmeCa::Options options;
  options.orders_page_size = 1;
  StartCa(options);
  backend_config_.max_recovery_pages = 2;
  StartAdapter();
  v1::SubmitOrderResponse response;
  ASSERT_TRUE(Submit(SubmitRequest("page-a", {"a.faults.example"}), &response).ok());
  ASSERT_TRUE(Submit(SubmitRequest("page-b", {"b.faults.example"}), &response).ok());
  const v1::SubmitOrderRequest lost = SubmitRequest("page-c", {"c.faults.example"});
  ca_->set_fault(LoseNewOrderAnswers);
  EXPECT_EQ(Submit(lost, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  ca_->set_fault(nullptr);
  ASSERT_EQ(ca_->orders_created(), 3);

  // The lost order is on the third page; two are read.
  grpc::Status limited = Submit(lost, &response);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(limited.error_message(), HasSubstr("longer than 2 pages"));
  EXPECT_EQ(ca_->orders_created(), 3);

  backend_config_.max_recovery_pages = 5;
  ASSERT_TRUE(harness_->Restart().ok());
  ASSERT_TRUE(Submit(lost, &response).ok());
  EXPECT_EQ(response.status().ca_order_id(), ca_->order_urls()[2]);
  EXPECT_EQ(ca_->orders_created(), 3);
}

// Let's Encrypt offers no orders list, and answers a repeated newOrder for
// the same account and names with the order still pending.
TEST_F(AcmeFaultsTest, WithoutAnOrdersListAResumeWaitsForTheOperatorsChoice) {
  FakeAcmeCa::Options options;
  options.orders_list = false;
  options.reuse_pending_orders = true;
  StartCa(options);
  StartAdapter();  // default: fail
  const v1::SubmitOrderRequest request = SubmitRequest("unlisted-1", {"unlisted.faults.example"});
  ca_->set_fault(LoseNewOrderAnswers);
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  ca_->set_fault(nullptr);
  grpc::Status refused = Submit(request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("--resume_without_orders_list=create"));
  EXPECT_EQ(ca_->orders_created(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 0);

  // A CA that dedupes makes newOrder again safe: it answers with the order.
  backend_config_.resume_without_orders_list = ResumeWithoutOrdersList::kCreate;
  ASSERT_TRUE(harness_->Restart().ok());
  grpc::Status resumed = Submit(request, &response);
  ASSERT_TRUE(resumed.ok()) << resumed.error_message();
  EXPECT_EQ(response.status().ca_order_id(), ca_->order_urls()[0]);
  EXPECT_EQ(ca_->orders_created(), 1);
}

TEST_F(AcmeFaultsTest, WithoutAnOrdersListACancelBySubmitKeyStillEndsTheKey) {
  FakeAcmeCa::Options options;
  options.orders_list = false;
  StartCa(options);
  StartAdapter();
  const v1::SubmitOrderRequest request = SubmitRequest("unlisted-2", {"gone.faults.example"});
  ca_->set_fault(LoseNewOrderAnswers);
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  ca_->set_fault(nullptr);
  // Whatever the lost attempt created is unknown to every row: nobody
  // answers its challenges or finalizes it, so it cannot issue.
  grpc::ClientContext context;
  v1::CancelOrderRequest cancel;
  cancel.set_idempotency_key("cancel-unlisted-2");
  cancel.set_submit_idempotency_key("unlisted-2");
  v1::CancelOrderResponse cancelled;
  grpc::Status status = harness_->stub().CancelOrder(&context, cancel, &cancelled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(cancelled.status().state(), v1::ORDER_STATE_CANCELLED);
  EXPECT_EQ(Submit(request, &response).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ca_->orders_created(), 1);
}

TEST_F(AcmeFaultsTest, ASecondKeyForNamesPendingAtTheCaUnderAnotherKeyIsRefusedFinally) {
  FakeAcmeCa::Options options;
  options.reuse_pending_orders = true;
  StartCa(options);
  StartAdapter();
  v1::SubmitOrderResponse first, second, replay;
  ASSERT_TRUE(Submit(SubmitRequest("names-1", {"same.faults.example"}), &first).ok());
  const v1::SubmitOrderRequest other = SubmitRequest("names-2", {"same.faults.example"});
  grpc::Status refused = Submit(other, &second);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_THAT(refused.error_message(),
              HasSubstr("already pending at the CA under idempotency key \"names-1\""));
  grpc::Status replayed = Submit(other, &replay);
  EXPECT_EQ(replayed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(replayed.error_message(), refused.error_message()) << "the key's answer, replayed";
  EXPECT_EQ(ca_->orders_created(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_orders"), 1);
}

TEST_F(AcmeFaultsTest, ANewOrderAnswered404IsRetriedNotTheKeysAnswer) {
  StartAdapter();
  const v1::SubmitOrderRequest request = SubmitRequest("moved-1", {"moved.faults.example"});
  ca_->set_fault([](const std::string& path, bool before) -> std::optional<http::Response> {
    if (path == "/new-order" && before) {
      return FakeAcmeCa::Problem(404, "malformed", "no such resource");
    }
    return std::nullopt;
  });
  v1::SubmitOrderResponse response;
  EXPECT_EQ(Submit(request, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  ca_->set_fault(nullptr);
  grpc::Status retried = Submit(request, &response);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(ca_->orders_created(), 1);
}

TEST_F(AcmeFaultsTest, AccountTroubleIsRetriedAndTheForgottenAccountRegisteredAgain) {
  StartAdapter();
  v1::SubmitOrderResponse response;
  ASSERT_TRUE(Submit(SubmitRequest("acct-1", {"a.acct.faults.example"}), &response).ok());
  ca_->ForgetAccounts();
  // Registering again fails too (say, the CA wants the operator to act).
  ca_->set_fault([](const std::string& path, bool before) -> std::optional<http::Response> {
    if (path == "/new-acct" && before) {
      return FakeAcmeCa::Problem(403, "userActionRequired", "accept the new terms");
    }
    return std::nullopt;
  });
  const v1::SubmitOrderRequest request = SubmitRequest("acct-2", {"b.acct.faults.example"});
  grpc::Status refused = Submit(request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  ca_->set_fault(nullptr);
  grpc::Status fixed = Submit(request, &response);
  ASSERT_TRUE(fixed.ok()) << fixed.error_message();
  EXPECT_EQ(ca_->accounts_created(), 2) << "the same key, registered again";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM acme_accounts WHERE account_url IS NOT NULL"), 1);
}

// Registration takes a network round trip; a caller with a short deadline
// must not wait behind it past that deadline.
TEST_F(AcmeFaultsTest, ACallerWaitingForAnotherCallsRegistrationKeepsItsDeadline) {
  FakeAcmeCa::Options options;
  options.new_account_delay = absl::Seconds(2);
  StartCa(options);
  StartAdapter();
  absl::StatusOr<Account> registered;
  std::thread registering([&] { registered = accounts_->Get(clock_.Now() + absl::Seconds(20)); });
  absl::SleepFor(absl::Milliseconds(200));  // the first call is in newAccount now
  const absl::Time start = absl::Now();
  absl::StatusOr<Account> impatient = accounts_->Get(clock_.Now() + absl::Milliseconds(300));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(impatient.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(waited, absl::Seconds(1));
  registering.join();
  ASSERT_TRUE(registered.ok()) << registered.status();
  absl::StatusOr<Account> later = accounts_->Get(clock_.Now() + absl::Milliseconds(300));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->url, registered->url);
  EXPECT_EQ(ca_->accounts_created(), 1);
}

}  // namespace
}  // namespace sslpanel::ca::acme
