// The DCV and resolution RPCs of the WorkflowService through a real gRPC
// server with a real database, against a fake CA adapter that is a real gRPC
// server too: the refusals callers meet, the capabilities and approver
// addresses read over the wire, and the hold trailers the outbound client
// turns into payloads.
#include <grpcpp/grpcpp.h>

#include "common/grpc/server.h"
#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "common/time/deadline.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/grpc/outbound.h"
#include "workflow-service/src/grpc/workflow_service.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::HasSubstr;
namespace cav1 = ::sslpanel::ca::v1;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12],
   "max_additional_names": 5, "renewal_window_days": 90}]})";

// Declares every DCV operation and a 30-minute polling minimum, offers two
// approver addresses, and answers every submission "outcome unknown".
class FakeAdapter final : public cav1::CaAdapterService::Service {
 public:
  grpc::Status GetCapabilities(grpc::ServerContext*, const cav1::GetCapabilitiesRequest*,
                               cav1::GetCapabilitiesResponse* response) override {
    response->set_adapter("fake");
    response->set_supports_change_dcv_method(true);
    response->set_supports_resend_dcv_email(false);
    response->set_supports_list_approver_emails(true);
    response->mutable_status_polling()->mutable_min_interval()->set_seconds(1800);
    response->mutable_status_polling()->mutable_rate_limited_backoff()->set_seconds(600);
    return grpc::Status::OK;
  }
  grpc::Status ListApproverEmails(grpc::ServerContext*, const cav1::ListApproverEmailsRequest* r,
                                  cav1::ListApproverEmailsResponse* response) override {
    if (r->host_name() == "slow.example.com") {
      absl::SleepFor(absl::Seconds(3));
    }
    response->set_host_name(r->host_name());
    response->add_approver_emails("admin@example.com");
    response->add_approver_emails("webmaster@example.com");
    return grpc::Status::OK;
  }
  grpc::Status SubmitOrder(grpc::ServerContext* context, const cav1::SubmitOrderRequest*,
                           cav1::SubmitOrderResponse*) override {
    context->AddTrailingMetadata("ca-outcome-unknown", "answer lost after sending");
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "outcome unknown");
  }
};

class DcvApiTest : public ::testing::Test {
 protected:
  DcvApiTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    auto adapter_host = grpc_util::ServerHost::Start(
        {"127.0.0.1:0", absl::Seconds(1), ""}, {{&adapter_, "sslpanel.ca.v1.CaAdapterService"}});
    ASSERT_TRUE(adapter_host.ok()) << adapter_host.status();
    adapter_host_ = *std::move(adapter_host);
    router_.Add("fake", std::make_unique<GrpcCaClient>(AdapterStub(), absl::Seconds(5)));

    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    repo_ = std::make_unique<storage::MysqlOrderRepository>(*pool_, "00000000000000a1");
    catalog_ = *app::ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<app::WorkflowApp>(*repo_, catalog_, parser_, clock_);
    capabilities_ = std::make_unique<app::CapabilityCache>(router_, clock_);
    app_->set_ca_access(&router_, capabilities_.get());
    service_ = std::make_unique<WorkflowServiceImpl>(*app_);
    auto host =
        grpc_util::ServerHost::Start({"127.0.0.1:0", absl::Seconds(1), ""},
                                     {{service_.get(), "sslpanel.workflow.v1.WorkflowService"}});
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    stub_ = v1::WorkflowService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(host_->port()), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<cav1::CaAdapterService::Stub> AdapterStub() {
    return cav1::CaAdapterService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(adapter_host_->port()), grpc::InsecureChannelCredentials()));
  }

  // A DV order for www.example.com, REQUESTED at the CA as CA-1 (recorded as
  // the processing loop would).
  std::string Requested(const std::string& id, bool accept = true) {
    v1::CreateOrderRequest request;
    request.set_request_id("req-" + id);
    request.set_external_order_id("ext-" + id);
    request.set_product_id("dv");
    request.set_period_months(12);
    request.set_common_name("www.example.com");
    request.set_csr(testing::MakeCsr("www.example.com"));
    request.set_dcv_method(v1::DCV_METHOD_DNS);
    grpc::ClientContext context;
    v1::CreateOrderResponse response;
    EXPECT_TRUE(stub_->CreateOrder(&context, request, &response).ok());
    if (accept) {
      auto recorded = app_->Record(std::stoll(response.order().order_id()),
                                   std::stoll(response.order().certificates(0).certificate_id()),
                                   {domain::command::CaAccepted{1, "CA-1", "pending"}}, "test");
      EXPECT_TRUE(recorded.ok()) << recorded.status();
    }
    return response.order().order_id();
  }

  grpc::Status Change(const std::string& order_id, const std::string& request_id,
                      const std::string& host, v1::DcvMethod method, const std::string& approver,
                      v1::Order* order = nullptr) {
    v1::ChangeDcvMethodRequest request;
    request.set_request_id(request_id);
    request.set_order_id(order_id);
    v1::DomainValidation* dv = request.add_domain_validations();
    dv->set_host_name(host);
    dv->set_method(method);
    dv->set_approver_email(approver);
    grpc::ClientContext context;
    v1::ChangeDcvMethodResponse response;
    grpc::Status status = stub_->ChangeDcvMethod(&context, request, &response);
    if (order != nullptr) {
      *order = response.order();
    }
    return status;
  }

  FakeClock clock_;
  FakeAdapter adapter_;
  std::unique_ptr<grpc_util::ServerHost> adapter_host_;
  StaticCaRouter router_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<storage::MysqlOrderRepository> repo_;
  app::ProductCatalog catalog_;
  std::unique_ptr<app::WorkflowApp> app_;
  std::unique_ptr<app::CapabilityCache> capabilities_;
  std::unique_ptr<WorkflowServiceImpl> service_;
  std::unique_ptr<grpc_util::ServerHost> host_;
  std::unique_ptr<v1::WorkflowService::Stub> stub_;
};

TEST_F(DcvApiTest, TheOutboundClientReadsHoldTrailersAndPollingBounds) {
  GrpcCaClient client(AdapterStub(), absl::Seconds(5));
  domain::Order order;
  domain::Certificate cert;
  auto submitted = client.Submit(order, cert, "", "wf-x-submit-1-1");
  ASSERT_EQ(submitted.status().code(), absl::StatusCode::kUnavailable);
  auto reason = submitted.status().GetPayload(app::kOutcomeUnknownPayload);
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(std::string(*reason), "answer lost after sending");
  EXPECT_FALSE(submitted.status().GetPayload(app::kAccountProblemPayload).has_value());
  auto capabilities = client.Capabilities();
  ASSERT_TRUE(capabilities.ok()) << capabilities.status();
  EXPECT_EQ(capabilities->min_poll_interval, absl::Minutes(30));
  EXPECT_EQ(capabilities->rate_limited_backoff, absl::Minutes(10));
  EXPECT_TRUE(capabilities->supports_change_dcv_method);
  EXPECT_FALSE(capabilities->supports_resend_dcv_email);
}

TEST_F(DcvApiTest, OutboundCallsFromAHandlerEndAtTheCallersDeadline) {
  GrpcCaClient client(AdapterStub(), absl::Seconds(30));
  const absl::Time start = absl::Now();
  {
    ScopedDeadline caller(start + absl::Milliseconds(300));
    auto emails = client.ListApproverEmails("slow.example.com");
    EXPECT_EQ(emails.status().code(), absl::StatusCode::kDeadlineExceeded) << emails.status();
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));  // not the CA's 3 s, nor the 30 s timeout
  // Without a caller (the processing loops) the client's own timeout holds.
  EXPECT_TRUE(client.ListApproverEmails("www.example.com").ok());
}

TEST_F(DcvApiTest, ChangesAreCheckedAgainstTheOrderTheStateAndTheCa) {
  const std::string open = Requested("open", /*accept=*/false);
  grpc::Status not_yet = Change(open, "c-open", "www.example.com", v1::DCV_METHOD_HTTP, "");
  EXPECT_EQ(not_yet.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(not_yet.error_message(), HasSubstr("OPEN"));

  const std::string id = Requested("1");
  grpc::Status bad_id = Change("x1", "c-0", "www.example.com", v1::DCV_METHOD_HTTP, "");
  EXPECT_EQ(bad_id.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_id.error_message(), HasSubstr("order_id"));
  grpc::Status no_method = Change(id, "c-1", "www.example.com", v1::DCV_METHOD_UNSPECIFIED, "");
  EXPECT_EQ(no_method.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_method.error_message(), HasSubstr("domain_validations[0].method"));
  grpc::Status unknown = Change(id, "c-2", "mail.other.org", v1::DCV_METHOD_HTTP, "");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(unknown.error_message(), HasSubstr("mail.other.org"));
  grpc::Status approver =
      Change(id, "c-3", "www.example.com", v1::DCV_METHOD_EMAIL, "root@example.com");
  EXPECT_EQ(approver.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(approver.error_message(), HasSubstr("root@example.com"));

  v1::Order changed;
  ASSERT_TRUE(
      Change(id, "c-4", "www.example.com", v1::DCV_METHOD_EMAIL, "admin@example.com", &changed)
          .ok());
  ASSERT_EQ(changed.domain_validations_size(), 1);
  EXPECT_EQ(changed.domain_validations(0).method(), v1::DCV_METHOD_EMAIL);
  // Validated by e-mail now, but this adapter does not resend: not offered.
  EXPECT_THAT(changed.allowed_actions(), ::testing::Contains(v1::ACTION_CHANGE_DCV_METHOD));
  EXPECT_THAT(changed.allowed_actions(),
              ::testing::Not(::testing::Contains(v1::ACTION_RESEND_DCV_EMAIL)));
  EXPECT_THAT(changed.certificates(0).allowed_actions(),
              ::testing::Not(::testing::Contains(v1::ACTION_RESEND_DCV_EMAIL)));

  // The adapter does not declare the resend: refused, naming the capability.
  v1::ResendDcvEmailRequest resend;
  resend.set_request_id("r-1");
  resend.set_order_id(id);
  grpc::ClientContext resend_context;
  v1::ResendDcvEmailResponse resent;
  grpc::Status no_resend = stub_->ResendDcvEmail(&resend_context, resend, &resent);
  EXPECT_EQ(no_resend.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(no_resend.error_message(), HasSubstr("supports_resend_dcv_email"));

  v1::ListApproverEmailsRequest list;
  list.set_order_id(id);
  list.set_host_name("www.other.org");
  grpc::ClientContext list_context;
  v1::ListApproverEmailsResponse approvers;
  grpc::Status not_a_name = stub_->ListApproverEmails(&list_context, list, &approvers);
  EXPECT_EQ(not_a_name.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(not_a_name.error_message(), HasSubstr("www.other.org"));
}

TEST_F(DcvApiTest, AResolutionNeedsAHeldSubmissionAnOperatorAndAReason) {
  const std::string id = Requested("2");
  v1::ResolveCaSubmissionRequest request;
  request.set_request_id("res-1");
  request.set_order_id(id);
  request.set_resubmit(true);
  request.set_reason("checked the CA portal");
  grpc::ClientContext anonymous_context;
  v1::ResolveCaSubmissionResponse response;
  grpc::Status anonymous = stub_->ResolveCaSubmission(&anonymous_context, request, &response);
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(anonymous.error_message(), HasSubstr("actor"));
  request.set_actor("operator:alice");
  grpc::ClientContext context;
  grpc::Status not_held = stub_->ResolveCaSubmission(&context, request, &response);
  EXPECT_EQ(not_held.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(not_held.error_message(), HasSubstr("REQUESTED"));
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
