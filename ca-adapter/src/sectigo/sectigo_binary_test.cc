// The ca-adapter-sectigo binary as operators run it, against the
// sectigo-fake over real HTTP: 100 submissions while the binary is killed
// with SIGKILL in the middle of calls and while the CA's answers are lost
// after it created the orders; the fake must have billed exactly 100.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ca-adapter/sectigo-fake/src/testing/fake_fixture.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "common/testing/health.h"
#include "common/testing/subprocess.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::ca::sectigo {
namespace {

using sectigo_fake::testing::FakeStack;

class SectigoBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = sslpanel::testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    auto fake = FakeStack::Start(FakeStack::Manual());
    ASSERT_TRUE(fake.ok()) << fake.status();
    fake_ = *std::move(fake);
    dir_ = sslpanel::testing::MakeTempDir("sectigo-binary-");
    std::ofstream(dir_ + "/password") << sectigo_fake::testing::kPassword << "\n";
  }
  void TearDown() override {
    stub_.reset();
    adapter_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts the adapter (again) and connects a new stub.
  void Start() {
    const mysql::MysqlConfig& db = database_->config();
    const std::string port_file = absl::StrCat(dir_, "/port-", starts_);
    std::vector<std::string> argv = {
        SSLPANEL_CA_SECTIGO_BIN,
        "--listen=127.0.0.1:0",
        "--port_file=" + port_file,
        "--auto_migrate",
        absl::StrCat("--db_host=", db.host),
        absl::StrCat("--db_port=", db.port),
        absl::StrCat("--db_name=", db.database),
        absl::StrCat("--db_user=", db.user),
        absl::StrCat("--base_url=http://127.0.0.1:", fake_->port(), "/products/"),
        absl::StrCat("--login_name=", sectigo_fake::testing::kLogin),
        "--login_password_file=" + dir_ + "/password",
        "--ca_request_timeout=1s",
        "--call_budget=3s",
        "--lease_margin=0s",
        "--allow_fast_polling",
        "--min_poll_interval=0s"};
    auto process = sslpanel::testing::Subprocess::Start(
        argv, absl::StrCat(dir_, "/adapter-", starts_++, ".log"),
        {absl::StrCat("SSLPANEL_DB_PASSWORD=", db.password)});
    ASSERT_TRUE(process.ok()) << process.status();
    adapter_ = *std::move(process);
    auto port = sslpanel::testing::WaitForPortFile(port_file, *adapter_);
    ASSERT_TRUE(port.ok()) << port.status() << adapter_->Log();
    const std::string target = absl::StrCat("127.0.0.1:", *port);
    ASSERT_TRUE(sslpanel::testing::WaitForServing(target, "sslpanel.ca.v1.CaAdapterService").ok());
    stub_ = v1::CaAdapterService::NewStub(
        ::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials()));
  }

  ::grpc::Status Submit(const v1::SubmitOrderRequest& request, v1::SubmitOrderResponse* response) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->SubmitOrder(&context, request, response);
  }

  void AddFault(const nlohmann::json& fault) { fake_->Admin("POST", "faults", fault.dump()); }

  std::unique_ptr<sslpanel::testing::TestDatabase> database_;
  std::unique_ptr<FakeStack> fake_;
  std::unique_ptr<sslpanel::testing::Subprocess> adapter_;
  std::unique_ptr<v1::CaAdapterService::Stub> stub_;
  std::string dir_;
  int starts_ = 0;
};

TEST_F(SectigoBinaryTest, HundredSubmissionsUnderKillAndDroppedAnswersBillExactlyHundred) {
  Start();
  absl::StatusOr<ca::testing::TestCsr> csr = ca::testing::MakeCsr({"www.example.nl"});
  ASSERT_TRUE(csr.ok());
  constexpr int kOrders = 100;
  std::set<std::string> order_numbers;
  int kills = 0;
  for (int i = 0; i < kOrders; ++i) {
    if (i == 0) {
      // First half: every answer comes 400 ms after the CA created the order.
      AddFault({{"endpoint", "AutoApplySSL"},
                {"action", "delay"},
                {"when", "after"},
                {"delay_ms", 400},
                {"count", 0}});
    } else if (i == kOrders / 2) {
      // Second half: every answer is lost after the CA created the order.
      fake_->Admin("DELETE", "faults");
      AddFault({{"endpoint", "AutoApplySSL"}, {"action", "drop"}, {"when", "after"}, {"count", 0}});
    }
    v1::SubmitOrderRequest request;
    request.set_idempotency_key(absl::StrCat("bulk-", i));
    request.set_csr(csr->csr_pem);
    request.set_common_name(absl::StrCat("www", i, ".example.nl"));
    request.set_validation_type(v1::VALIDATION_TYPE_DV);
    request.set_period_months(12);
    request.set_product_code("287");
    v1::SubmitOrderResponse response;
    if (i % 10 == 3) {
      // SIGKILL while the call is in flight: after the CA acted, before
      // the adapter read (or stored) the answer.
      std::thread call([&] { (void)Submit(request, &response); });
      absl::SleepFor(absl::Milliseconds(200));
      adapter_->Kill();
      call.join();
      ++kills;
      Start();
    }
    ::grpc::Status status;
    for (int attempt = 0; attempt < 40; ++attempt) {
      status = Submit(request, &response);
      if (status.ok()) {
        break;
      }
      // ABORTED: the killed call's lease has not run out yet.
      absl::SleepFor(
          absl::Milliseconds(status.error_code() == ::grpc::StatusCode::ABORTED ? 500 : 50));
    }
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message() << "\n" << adapter_->Log();
    order_numbers.insert(response.status().ca_order_id());
  }
  const nlohmann::json billing = fake_->Admin("GET", "billing");
  EXPECT_EQ(billing["applied"].get<int>(), kOrders);
  EXPECT_EQ(order_numbers.size(), static_cast<size_t>(kOrders));
  EXPECT_EQ(kills, 10);
  std::cout << "billed " << billing["applied"] << " orders for " << kOrders << " submissions, "
            << kills << " kills\n";
  EXPECT_EQ(adapter_->Log().find(sectigo_fake::testing::kPassword), std::string::npos);
}

TEST_F(SectigoBinaryTest, HelpNamesTheFlagsAndABadConfigurationExitsWithTwo) {
  auto help =
      sslpanel::testing::Subprocess::Start({SSLPANEL_CA_SECTIGO_BIN, "--help"}, dir_ + "/help.log");
  ASSERT_TRUE(help.ok());
  (void)(*help)->Wait(absl::Seconds(10));
  for (const char* flag : {"--base_url", "--login_name", "--login_password_file", "--ca_bundle",
                           "--min_poll_interval", "--max_collect_in_flight"}) {
    EXPECT_NE((*help)->Log().find(std::string(flag).substr(2)), std::string::npos) << flag;
  }
  const mysql::MysqlConfig& db = database_->config();
  auto bad = sslpanel::testing::Subprocess::Start(
      {SSLPANEL_CA_SECTIGO_BIN, "--listen=127.0.0.1:0", "--auto_migrate",
       absl::StrCat("--db_host=", db.host), absl::StrCat("--db_port=", db.port),
       absl::StrCat("--db_name=", db.database), absl::StrCat("--db_user=", db.user),
       "--login_name=x", "--login_password_file=" + dir_ + "/password", "--min_poll_interval=1m"},
      dir_ + "/bad.log", {absl::StrCat("SSLPANEL_DB_PASSWORD=", db.password)});
  ASSERT_TRUE(bad.ok());
  absl::StatusOr<int> code = (*bad)->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 2) << (*bad)->Log();
  EXPECT_NE((*bad)->Log().find("allow_fast_polling"), std::string::npos);
}

}  // namespace
}  // namespace sslpanel::ca::sectigo
