#include "ca-adapter/src/sectigo/sectigo_test_support.h"

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "common/metrics/metrics.h"
#include "common/testing/subprocess.h"

namespace sslpanel::ca::sectigo::testing {

using sectigo_fake::testing::FakeStack;

std::string OrderNumber(const std::string& ca_order_id) {
  return ca_order_id.substr(0, ca_order_id.find('-'));
}

void SectigoTest::SetUp() {
  dir_ = sslpanel::testing::MakeTempDir("sectigo-adapter-");
  sectigo_fake::HttpServerOptions http;
  std::string bundle;
  if (tls_) {
    absl::StatusOr<ca::testing::TlsServerFiles> files = ca::testing::WriteTlsServerFiles(dir_);
    ASSERT_TRUE(files.ok()) << files.status();
    http.tls_cert_file = files->cert_path;
    http.tls_key_file = files->key_path;
    bundle = tls_wrong_bundle_ ? files->other_ca_cert_path : files->ca_cert_path;
  }
  absl::StatusOr<std::unique_ptr<FakeStack>> fake = FakeStack::Start(FakeStack::Manual(), {}, http);
  ASSERT_TRUE(fake.ok()) << fake.status();
  fake_ = *std::move(fake);
  std::ofstream(dir_ + "/password") << sectigo_fake::testing::kPassword << "\n";
  if (config_.login_name.empty()) {
    config_.base_url =
        absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", fake_->port(), "/products/");
    config_.ca_bundle = bundle;
    config_.login_name = sectigo_fake::testing::kLogin;
    config_.login_password_file = dir_ + "/password";
    config_.request_timeout = absl::Seconds(2);
    config_.allow_fast_polling = true;
    config_.backend.min_poll_interval = min_poll_interval_;
    config_.backend.collect_slot_wait = absl::Seconds(3);
    config_.backend.rate_limited_backoff = absl::Seconds(2);
  }
  server::AdapterOptions options;
  options.call_budget = absl::Seconds(15);
  options.lease_margin = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<ca::testing::AdapterHarness>> harness =
      ca::testing::AdapterHarness::Create(
          clock_,
          [this](mysql::ConnectionPool& pool,
                 const Clock& clock) -> absl::StatusOr<std::shared_ptr<app::CaBackend>> {
            absl::StatusOr<std::shared_ptr<app::CaBackend>> backend =
                MakeSectigoBackend(config_, pool, clock, registry_);
            if (backend.ok()) {
              backend_ = backend->get();
            }
            return backend;
          },
          options);
  ASSERT_TRUE(harness.ok()) << harness.status();
  harness_ = *std::move(harness);
}

void SectigoTest::TearDown() {
  harness_.reset();
  fake_.reset();
  std::filesystem::remove_all(dir_);
}

v1::SubmitOrderRequest SectigoTest::SubmitRequest(const std::string& key,
                                                  const std::vector<std::string>& names,
                                                  v1::ValidationType type,
                                                  const std::string& product) {
  absl::StatusOr<ca::testing::TestCsr> csr = ca::testing::MakeCsr(names);
  EXPECT_TRUE(csr.ok()) << csr.status();
  v1::SubmitOrderRequest request;
  request.set_idempotency_key(key);
  request.set_csr(csr.ok() ? csr->csr_pem : "");
  request.set_common_name(names.front());
  for (size_t i = 1; i < names.size(); ++i) {
    request.add_additional_names(names[i]);
  }
  request.set_validation_type(type);
  request.set_period_months(12);
  request.set_product_code(product);
  if (type != v1::VALIDATION_TYPE_DV) {
    v1::Organization* org = request.mutable_organization();
    org->set_legal_name("Test BV Donald");
    org->set_registration_number("68750110");
    org->set_street_address("Hizzaarderlaan 3");
    org->set_postcode("8713GH");
    org->set_city("Lollum");
    org->set_country_code("NL");
    org->set_phone("+31201234567");
  }
  return request;
}

::grpc::Status SectigoTest::Submit(const v1::SubmitOrderRequest& request,
                                   v1::SubmitOrderResponse* response) {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return stub().SubmitOrder(&context, request, response);
}

::grpc::Status SectigoTest::Status(const std::string& ca_order_id,
                                   v1::GetOrderStatusResponse* response) {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetOrderStatusRequest request;
  request.set_ca_order_id(ca_order_id);
  return stub().GetOrderStatus(&context, request, response);
}

v1::CaOrderStatus SectigoTest::IssueNow(const std::string& ca_order_id) {
  EXPECT_TRUE(fake_->fake().ValidateNow(OrderNumber(ca_order_id)).ok());
  v1::GetOrderStatusResponse response;
  for (int i = 0; i < 50; ++i) {
    ::grpc::Status status = Status(ca_order_id, &response);
    if (status.ok() && response.status().state() == v1::ORDER_STATE_ISSUED) {
      return response.status();
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ADD_FAILURE() << ca_order_id << " not issued: " << response.DebugString();
  return response.status();
}

int SectigoTest::Billed() { return fake_->fake().BillingJson()["applied"].get<int>(); }

void SectigoTest::AddFault(const nlohmann::json& fault) {
  fake_->Admin("POST", "faults", fault.dump());
}

void SectigoTest::ClearFaults() { fake_->Admin("DELETE", "faults"); }

app::CallOptions SectigoTest::Options(bool resumed) const {
  app::CallOptions options;
  options.deadline = absl::Now() + absl::Seconds(20);
  options.resumed = resumed;
  return options;
}

void SectigoTest::ExpectVerifies(const v1::CaOrderStatus& status, const std::string& host) {
  absl::Status verified = ca::testing::VerifyCertificate(
      fake_->signer().root_pem(false), status.certificate().chain_pem(),
      status.certificate().certificate_pem(), host);
  EXPECT_TRUE(verified.ok()) << verified;
}

double SectigoTest::Metric(const std::string& name, const prometheus::Labels& labels) {
  return metrics::Value(registry_, name, labels).value_or(0);
}

}  // namespace sslpanel::ca::sectigo::testing
