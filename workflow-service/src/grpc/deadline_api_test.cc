// The caller's deadline through the API: a call that runs out of time
// waiting for the database stops there and answers DEADLINE_EXCEEDED; it
// does not carry on and write after its caller has gone.
#include <grpcpp/grpcpp.h>

#include <vector>

#include "common/grpc/server.h"
#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/grpc/workflow_service.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::grpc_api {
namespace {

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5}]})";

class DeadlineApiTest : public ::testing::Test {
 protected:
  DeadlineApiTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    mysql::MysqlConfig config = db_->config();
    config.pool_size = 2;
    auto pool = mysql::ConnectionPool::Create(config);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    repo_ = std::make_unique<storage::MysqlOrderRepository>(*pool_, "00000000000000a1");
    catalog_ = *app::ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<app::WorkflowApp>(*repo_, catalog_, parser_, clock_);
    service_ = std::make_unique<WorkflowServiceImpl>(*app_, 2);
    auto host =
        grpc_util::ServerHost::Start({"127.0.0.1:0", absl::Seconds(1), ""},
                                     {{service_.get(), "sslpanel.workflow.v1.WorkflowService"}});
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    stub_ = v1::WorkflowService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(host_->port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Create(const std::string& id, absl::Duration deadline) {
    v1::CreateOrderRequest request;
    request.set_request_id("req-" + id);
    request.set_external_order_id("ext-" + id);
    request.set_product_id("dv");
    request.set_period_months(12);
    request.set_common_name("www.example.com");
    request.set_csr(testing::MakeCsr("www.example.com"));
    request.set_dcv_method(v1::DCV_METHOD_DNS);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    v1::CreateOrderResponse response;
    return stub_->CreateOrder(&context, request, &response);
  }

  grpc::StatusCode GetByExternalId(const std::string& id) {
    grpc::ClientContext context;
    v1::GetOrderRequest request;
    request.set_external_order_id("ext-" + id);
    v1::GetOrderResponse response;
    return stub_->GetOrder(&context, request, &response).error_code();
  }

  FakeClock clock_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<storage::MysqlOrderRepository> repo_;
  app::ProductCatalog catalog_;
  std::unique_ptr<app::WorkflowApp> app_;
  std::unique_ptr<WorkflowServiceImpl> service_;
  std::unique_ptr<grpc_util::ServerHost> host_;
  std::unique_ptr<v1::WorkflowService::Stub> stub_;
};

TEST_F(DeadlineApiTest, ACallWithTimeLeftIsServed) {
  EXPECT_TRUE(Create("1", absl::Seconds(10)).ok());
  EXPECT_EQ(GetByExternalId("1"), grpc::StatusCode::OK);
}

TEST_F(DeadlineApiTest, ACallThatRunsOutOfTimeWaitingForTheDatabaseStopsAndWritesNothing) {
  {
    // Every connection busy for longer than the caller will wait.
    std::vector<mysql::PooledConnection> held;
    for (int i = 0; i < 2; ++i) {
      auto conn = pool_->Acquire();
      ASSERT_TRUE(conn.ok()) << conn.status();
      held.push_back(*std::move(conn));
    }
    EXPECT_EQ(Create("2", absl::Milliseconds(300)).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
    // The handler has stopped at the deadline: it gave up its wait for a
    // connection instead of waiting out the pool's own timeout (10 s) and
    // creating the order after its caller had gone.
    absl::SleepFor(absl::Milliseconds(500));
  }
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(GetByExternalId("2"), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Create("3", absl::Seconds(10)).ok()) << "the connections are free again";
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
