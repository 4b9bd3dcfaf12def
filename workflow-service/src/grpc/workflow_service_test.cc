// The WorkflowService API through a real gRPC server on 127.0.0.1:0 with a
// real database: every RPC's success path and the refusals callers meet.
#include "workflow-service/src/grpc/workflow_service.h"

#include <grpcpp/grpcpp.h>

#include "common/grpc/server.h"
#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/storage/mysql_order_repository.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "sandbox", "period_months": [12, 24],
   "max_additional_names": 5, "renewal_window_days": 90},
  {"id": "ov", "validation_type": "OV", "ca_adapter": "sandbox", "period_months": [12],
   "max_additional_names": 5}]})";

class WorkflowApiTest : public ::testing::Test {
 protected:
  WorkflowApiTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
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
    service_ = std::make_unique<WorkflowServiceImpl>(*app_);
    auto host =
        grpc_util::ServerHost::Start({"127.0.0.1:0", absl::Seconds(1), ""},
                                     {{service_.get(), "sslpanel.workflow.v1.WorkflowService"}});
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    stub_ = v1::WorkflowService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(host_->port()), grpc::InsecureChannelCredentials()));
  }

  v1::CreateOrderRequest DvRequest(const std::string& id) {
    v1::CreateOrderRequest request;
    request.set_request_id("req-" + id);
    request.set_external_order_id("ext-" + id);
    request.set_product_id("dv");
    request.set_period_months(12);
    request.set_common_name("www.example.com");
    request.set_csr(testing::MakeCsr("www.example.com"));
    request.set_dcv_method(v1::DCV_METHOD_DNS);
    return request;
  }

  grpc::Status Create(const v1::CreateOrderRequest& request, v1::Order* order) {
    grpc::ClientContext context;
    v1::CreateOrderResponse response;
    grpc::Status status = stub_->CreateOrder(&context, request, &response);
    *order = response.order();
    return status;
  }

  v1::Order Get(const std::string& order_id) {
    grpc::ClientContext context;
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    v1::GetOrderResponse response;
    grpc::Status status = stub_->GetOrder(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.order();
  }

  // Records a CA outcome as the processing loop will.
  void Apply(const std::string& order_id, int index, domain::Command command) {
    auto record =
        app_->Mutate(std::stoll(order_id), app::Caller{"system:test"},
                     [&](const app::OrderRecord& r) -> absl::StatusOr<app::SaveRequest> {
                       auto decision = domain::Decide(
                           r.order, index, command,
                           domain::Context{clock_.Now(), "system:test", app_->RulesFor(r.order)});
                       if (!decision.ok()) {
                         return decision.status();
                       }
                       app::SaveRequest save;
                       save.decision = *decision;
                       return save;
                     });
    ASSERT_TRUE(record.ok()) << record.status();
  }

  v1::Order Active(const std::string& id) {
    v1::Order order;
    EXPECT_TRUE(Create(DvRequest(id), &order).ok());
    Apply(order.order_id(), 0, domain::command::CaAccepted{1, "CA-" + id, "pending"});
    clock_.Advance(absl::Minutes(5));
    Apply(
        order.order_id(), 0,
        domain::command::CaIssued{
            {clock_.Now(), clock_.Now() + absl::Hours(24 * 365), "PEM", "CHAIN", "0a"}, "issued"});
    return Get(order.order_id());
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

TEST_F(WorkflowApiTest, CreateOrderReturnsTheOrderWithChainCodesActionsAndHistory) {
  v1::Order order;
  ASSERT_TRUE(Create(DvRequest("1"), &order).ok());
  EXPECT_FALSE(order.order_id().empty());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(order.reseller_code(), v1::RESELLER_CODE_PAI);
  ASSERT_EQ(order.certificates_size(), 1);
  const v1::Certificate& c = order.certificates(0);
  EXPECT_EQ(c.kind(), v1::CERTIFICATE_KIND_INITIAL);
  EXPECT_EQ(c.status(), v1::CERTIFICATE_STATUS_OPEN);
  EXPECT_EQ(c.pending_operation(), v1::PENDING_OPERATION_REQUEST);
  EXPECT_EQ(c.hold_reason(), v1::HOLD_REASON_AWAITING_CA);
  EXPECT_EQ(c.ca_adapter(), "sandbox");
  ASSERT_EQ(c.status_history_size(), 1);
  EXPECT_EQ(c.status_history(0).entered_at().seconds(), 1780000000);
  EXPECT_THAT(order.allowed_actions(), ElementsAre(v1::ACTION_CANCEL));
  ASSERT_EQ(order.domain_validations_size(), 1);
  EXPECT_EQ(order.domain_validations(0).method(), v1::DCV_METHOD_DNS);
}

TEST_F(WorkflowApiTest, ReplayReturnsTheSameOrderAndAReusedIdForOtherDataIsRefused) {
  const v1::CreateOrderRequest request = DvRequest("1");
  v1::Order first;
  ASSERT_TRUE(Create(request, &first).ok());
  v1::Order again;
  grpc::Status replay = Create(request, &again);
  ASSERT_TRUE(replay.ok()) << replay.error_message();
  EXPECT_EQ(again.order_id(), first.order_id());
  v1::CreateOrderRequest changed = request;
  changed.set_period_months(24);
  v1::Order ignored;
  grpc::Status status = Create(changed, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));
  v1::CreateOrderRequest same_external = request;
  same_external.set_request_id("another");
  status = Create(same_external, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("external_order_id"));
}

TEST_F(WorkflowApiTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    const char* name;
    std::function<void(v1::CreateOrderRequest&)> mutate;
    const char* expected;
  };
  testing::CsrSpec weak;
  weak.common_name = "www.example.com";
  weak.key = testing::CsrSpec::Key::kRsa;
  weak.rsa_bits = 1024;
  const std::string weak_csr = testing::MakeCsr(weak);
  testing::CsrSpec exponent3 = weak;
  exponent3.rsa_bits = 2048;
  exponent3.rsa_exponent = 3;
  const std::string exponent3_csr = testing::MakeCsr(exponent3);
  const std::string other_cn = testing::MakeCsr("other.example.com");
  const Case cases[] = {
      {"no request id", [](auto& r) { r.clear_request_id(); }, "request_id: required"},
      {"unknown product", [](auto& r) { r.set_product_id("gold"); }, "product_id: unknown"},
      {"bad period", [](auto& r) { r.set_period_months(7); }, "period_months"},
      {"bad name", [](auto& r) { r.set_common_name("www.exa mple.com"); }, "common_name"},
      {"idn not punycode", [](auto& r) { r.set_common_name("bücher.example"); }, "punycode"},
      {"wildcard not allowed", [](auto& r) { r.set_common_name("*.example.com"); }, "wildcard"},
      {"no dcv", [](auto& r) { r.clear_dcv_method(); }, "dcv_method: required"},
      {"garbage csr", [](auto& r) { r.set_csr("hello"); },
       "csr: not a certificate signing request"},
      {"weak key", [&](auto& r) { r.set_csr(weak_csr); }, "RSA key of 1024 bits"},
      {"RSA exponent 3", [&](auto& r) { r.set_csr(exponent3_csr); },
       "csr: RSA public exponent 3 is not accepted; it must be odd and at least 65537"},
      {"cn mismatch", [&](auto& r) { r.set_csr(other_cn); }, "does not match common_name"},
      {"ov without organisation", [](auto& r) { r.set_product_id("ov"); }, "organization"},
      {"bad kvk",
       [](auto& r) {
         r.set_product_id("ov");
         auto* o = r.mutable_organization();
         o->set_legal_name("X B.V.");
         o->set_country_code("NL");
         o->set_kvk_number("12");
         o->set_street("Straat");
         o->set_city("Amsterdam");
         o->set_phone("+31201234567");
       },
       "organization.kvk_number"},
  };
  int n = 0;
  for (const Case& c : cases) {
    v1::CreateOrderRequest request = DvRequest("bad-" + std::to_string(n++));
    c.mutate(request);
    v1::Order ignored;
    grpc::Status status = Create(request, &ignored);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_THAT(status.error_message(), HasSubstr(c.expected)) << c.name;
  }
}

TEST_F(WorkflowApiTest, TextThatDoesNotFitItsColumnIsRefusedNamingTheField) {
  v1::CreateOrderRequest request = DvRequest("1");
  std::string actor = "a";
  for (int i = 0; i < 100; ++i) {
    actor += "\xC3\xA9";
  }
  request.set_actor(actor);
  v1::Order ignored;
  grpc::Status status = Create(request, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("actor"));
  request = DvRequest("2");
  request.set_csr(request.csr() + std::string(20000, 'x'));
  status = Create(request, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("csr: at most"));

  grpc::ClientContext get_context;
  v1::GetOrderRequest get;
  get.set_external_order_id("b\xC3\xA9stelling");
  v1::GetOrderResponse got;
  status = stub_->GetOrder(&get_context, get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("external_order_id"));
  grpc::ClientContext list_context;
  v1::ListOrdersRequest list;
  list.set_common_name_pattern(
      "*.b\xC3\xBC"
      "cher.example");
  v1::ListOrdersResponse listed;
  status = stub_->ListOrders(&list_context, list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("common_name_pattern"));
  grpc::ClientContext enum_context;
  list.clear_common_name_pattern();
  list.set_order_status(static_cast<v1::OrderStatus>(7));
  status = stub_->ListOrders(&enum_context, list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("order_status"));
}

TEST_F(WorkflowApiTest, CancellingADraftRejectsItAndClosesTheOrder) {
  v1::CreateOrderRequest request = DvRequest("1");
  request.set_draft(true);
  v1::Order draft;
  ASSERT_TRUE(Create(request, &draft).ok());
  EXPECT_THAT(draft.allowed_actions(),
              ElementsAre(v1::ACTION_UPDATE, v1::ACTION_SUBMIT, v1::ACTION_CANCEL));
  grpc::ClientContext context;
  v1::CancelCertificateRequest cancel;
  cancel.set_request_id("cancel-1");
  cancel.set_order_id(draft.order_id());
  cancel.set_reason("bought by mistake");
  v1::CancelCertificateResponse response;
  ASSERT_TRUE(stub_->CancelCertificate(&context, cancel, &response).ok());
  EXPECT_EQ(response.order().certificates(0).status(), v1::CERTIFICATE_STATUS_REJECTED);
  EXPECT_EQ(response.order().status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(response.order().reseller_code(), v1::RESELLER_CODE_FAI);
  EXPECT_THAT(response.order().allowed_actions(), IsEmpty());
  // A closed order offers nothing and says why.
  grpc::ClientContext again_context;
  cancel.set_request_id("cancel-2");
  grpc::Status again = stub_->CancelCertificate(&again_context, cancel, &response);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(again.error_message(), HasSubstr("REJECTED"));
}

TEST_F(WorkflowApiTest, DraftCanBeUpdatedThenSubmitted) {
  v1::CreateOrderRequest request = DvRequest("1");
  request.set_draft(true);
  request.clear_csr();
  v1::Order draft;
  ASSERT_TRUE(Create(request, &draft).ok());
  {
    grpc::ClientContext context;
    v1::SubmitOrderRequest submit;
    submit.set_request_id("submit-early");
    submit.set_order_id(draft.order_id());
    v1::SubmitOrderResponse response;
    grpc::Status status = stub_->SubmitOrder(&context, submit, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(status.error_message(), HasSubstr("no CSR"));
  }
  {
    grpc::ClientContext context;
    v1::UpdateOrderRequest update;
    update.set_request_id("update-1");
    update.set_order_id(draft.order_id());
    update.set_csr(testing::MakeCsr("www.example.com"));
    update.mutable_update_mask()->add_paths("csr");
    v1::UpdateOrderResponse response;
    ASSERT_TRUE(stub_->UpdateOrder(&context, update, &response).ok());
    EXPECT_FALSE(response.order().certificates(0).csr().empty());
  }
  {
    grpc::ClientContext context;
    v1::UpdateOrderRequest update;
    update.set_request_id("update-2");
    update.set_order_id(draft.order_id());
    update.mutable_update_mask()->add_paths("common_name");
    v1::UpdateOrderResponse response;
    grpc::Status status = stub_->UpdateOrder(&context, update, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("update_mask"));
  }
  grpc::ClientContext context;
  v1::SubmitOrderRequest submit;
  submit.set_request_id("submit-1");
  submit.set_order_id(draft.order_id());
  v1::SubmitOrderResponse response;
  ASSERT_TRUE(stub_->SubmitOrder(&context, submit, &response).ok());
  EXPECT_EQ(response.order().certificates(0).pending_operation(), v1::PENDING_OPERATION_REQUEST);
}

TEST_F(WorkflowApiTest, GetOrderByEitherIdAndNotFound) {
  v1::Order order;
  ASSERT_TRUE(Create(DvRequest("1"), &order).ok());
  grpc::ClientContext context;
  v1::GetOrderRequest request;
  request.set_external_order_id("ext-1");
  v1::GetOrderResponse response;
  ASSERT_TRUE(stub_->GetOrder(&context, request, &response).ok());
  EXPECT_EQ(response.order().order_id(), order.order_id());
  grpc::ClientContext missing_context;
  request.set_order_id("424242");
  grpc::Status missing = stub_->GetOrder(&missing_context, request, &response);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext bad_context;
  request.set_order_id("abc");
  EXPECT_EQ(stub_->GetOrder(&bad_context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(WorkflowApiTest, ListOrdersPagesWithTokensAndRefusesChangedFilters) {
  for (int i = 0; i < 5; ++i) {
    v1::Order ignored;
    ASSERT_TRUE(Create(DvRequest(std::to_string(i)), &ignored).ok());
  }
  v1::ListOrdersRequest request;
  request.set_page_size(2);
  request.set_reseller_code(v1::RESELLER_CODE_PAI);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    grpc::ClientContext context;
    v1::ListOrdersResponse response;
    ASSERT_TRUE(stub_->ListOrders(&context, request, &response).ok());
    for (const v1::Order& order : response.orders()) {
      seen.push_back(order.external_order_id());
    }
    if (response.next_page_token().empty()) {
      break;
    }
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre("ext-4", "ext-3", "ext-2", "ext-1", "ext-0"));
  grpc::ClientContext context;
  request.set_reseller_code(v1::RESELLER_CODE_ACT);
  v1::ListOrdersResponse response;
  grpc::Status status = stub_->ListOrders(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
  grpc::ClientContext size_context;
  v1::ListOrdersRequest too_big;
  too_big.set_page_size(501);
  EXPECT_EQ(stub_->ListOrders(&size_context, too_big, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(WorkflowApiTest, WorkflowPictureAndEventHistory) {
  const v1::Order order = Active("1");
  grpc::ClientContext context;
  v1::GetWorkflowRequest request;
  request.set_order_id(order.order_id());
  v1::GetWorkflowResponse picture;
  ASSERT_TRUE(stub_->GetWorkflow(&context, request, &picture).ok());
  EXPECT_EQ(picture.certificate_id(), order.certificates(0).certificate_id());
  ASSERT_EQ(picture.nodes_size(), 7);
  for (const v1::WorkflowNode& node : picture.nodes()) {
    EXPECT_EQ(node.current(), node.status() == v1::CERTIFICATE_STATUS_ACTIVE);
  }
  bool requested_taken = false;
  for (const v1::WorkflowArrow& arrow : picture.arrows()) {
    if (arrow.name() == "Requested") {
      requested_taken = arrow.state() == v1::ARROW_STATE_TAKEN && arrow.has_taken_at();
    }
  }
  EXPECT_TRUE(requested_taken);

  grpc::ClientContext events_context;
  v1::ListOrderEventsRequest events;
  events.set_order_id(order.order_id());
  v1::ListOrderEventsResponse history;
  ASSERT_TRUE(stub_->ListOrderEvents(&events_context, events, &history).ok());
  std::vector<std::string> types;
  for (const v1::Event& e : history.events()) {
    types.push_back(e.type());
  }
  EXPECT_THAT(types, ElementsAre("CREATED", "SUBMITTED", "CA_ACCEPTED", "CA_ISSUED"));
  EXPECT_EQ(history.events(3).actor(), "system:test");
  EXPECT_EQ(order.reseller_code(), v1::RESELLER_CODE_ACT);
  EXPECT_EQ(order.certificates(0).expiration_time().seconds() -
                order.certificates(0).activation_time().seconds(),
            365 * 24 * 3600);
}

TEST_F(WorkflowApiTest, ReissueAddsACertificateAndRenewMarksThePredecessorRenewed) {
  const v1::Order order = Active("1");
  {
    grpc::ClientContext context;
    v1::ReissueCertificateRequest reissue;
    reissue.set_request_id("reissue-1");
    reissue.set_order_id(order.order_id());
    reissue.set_csr(testing::MakeCsr("www.example.com"));
    v1::ReissueCertificateResponse response;
    ASSERT_TRUE(stub_->ReissueCertificate(&context, reissue, &response).ok());
    ASSERT_EQ(response.order().certificates_size(), 2);
    EXPECT_EQ(response.order().certificates(0).status(), v1::CERTIFICATE_STATUS_ACTIVE);
    EXPECT_EQ(response.order().certificates(1).kind(), v1::CERTIFICATE_KIND_REISSUE);
    EXPECT_EQ(response.order().certificates(1).predecessor_certificate_id(),
              order.certificates(0).certificate_id());
    // One at a time.
    grpc::ClientContext second_context;
    reissue.set_request_id("reissue-2");
    grpc::Status second = stub_->ReissueCertificate(&second_context, reissue, &response);
    EXPECT_EQ(second.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    // Cancel the reissue to make room for a renewal.
    grpc::ClientContext cancel_context;
    v1::CancelCertificateRequest cancel;
    cancel.set_request_id("cancel-reissue");
    cancel.set_order_id(order.order_id());
    cancel.set_certificate_id(response.order().certificates(1).certificate_id());
    v1::CancelCertificateResponse cancelled;
    ASSERT_TRUE(stub_->CancelCertificate(&cancel_context, cancel, &cancelled).ok());
    EXPECT_EQ(cancelled.order().reseller_code(), v1::RESELLER_CODE_ACT);
  }
  grpc::ClientContext early_context;
  v1::RenewOrderRequest renew;
  renew.set_request_id("renew-early");
  renew.set_order_id(order.order_id());
  v1::RenewOrderResponse response;
  grpc::Status early = stub_->RenewOrder(&early_context, renew, &response);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(early.error_message(), HasSubstr("renewal window opens"));
  clock_.Advance(absl::Hours(24 * 300));
  grpc::ClientContext context;
  renew.set_request_id("renew-1");
  ASSERT_TRUE(stub_->RenewOrder(&context, renew, &response).ok());
  ASSERT_EQ(response.order().certificates_size(), 3);
  EXPECT_EQ(response.order().certificates(0).status(), v1::CERTIFICATE_STATUS_RENEWED);
  EXPECT_EQ(response.order().certificates(0).reseller_code(), v1::RESELLER_CODE_ACT);
  EXPECT_EQ(response.order().certificates(2).kind(), v1::CERTIFICATE_KIND_RENEWAL);
}

TEST_F(WorkflowApiTest, OverridePrevalidationNeedsAnOperatorAndAReason) {
  v1::CreateOrderRequest request = DvRequest("ov");
  request.set_product_id("ov");
  request.set_common_name("www.example.nl");
  request.set_csr(testing::MakeCsr("www.example.nl"));
  auto* o = request.mutable_organization();
  o->set_legal_name("Test BV Donald");
  o->set_kvk_number("68750110");
  o->set_street("Hizzaarderlaan");
  o->set_house_number("3");
  o->set_postcode("8915 AE");
  o->set_city("Leeuwarden");
  o->set_country_code("NL");
  o->set_phone("+31581234567");
  v1::Order order;
  ASSERT_TRUE(Create(request, &order).ok());
  EXPECT_EQ(order.certificates(0).hold_reason(), v1::HOLD_REASON_PREVALIDATION_RUNNING);
  Apply(order.order_id(), 0,
        domain::command::RecordPrevalidation{1, domain::PrevalidationOutcome::kNeedsReview,
                                             "address is shielded"});
  EXPECT_THAT(Get(order.order_id()).allowed_actions(),
              ElementsAre(v1::ACTION_UPDATE, v1::ACTION_SUBMIT, v1::ACTION_CANCEL,
                          v1::ACTION_OVERRIDE_PREVALIDATION));
  v1::OverridePrevalidationRequest override_request;
  override_request.set_request_id("override-1");
  override_request.set_order_id(order.order_id());
  override_request.set_reason("address checked with the customer by phone");
  v1::OverridePrevalidationResponse response;
  {
    grpc::ClientContext context;
    grpc::Status status = stub_->OverridePrevalidation(&context, override_request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("actor"));
  }
  override_request.set_actor("operator:alice");
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->OverridePrevalidation(&context, override_request, &response).ok());
  EXPECT_EQ(response.order().certificates(0).hold_reason(), v1::HOLD_REASON_AWAITING_CA);
}

TEST_F(WorkflowApiTest, DecodeCsrReportsFieldsAndProblems) {
  testing::CsrSpec spec;
  spec.common_name = "www.example.nl";
  spec.dns_names = {"www.example.nl"};
  spec.digest = "SHA1";
  spec.key = testing::CsrSpec::Key::kRsa;
  grpc::ClientContext context;
  v1::DecodeCsrRequest request;
  request.set_csr(testing::MakeCsr(spec));
  v1::DecodeCsrResponse response;
  ASSERT_TRUE(stub_->DecodeCsr(&context, request, &response).ok());
  EXPECT_EQ(response.common_name(), "www.example.nl");
  EXPECT_EQ(response.key_algorithm(), "RSA");
  EXPECT_EQ(response.key_bits(), 2048);
  EXPECT_THAT(response.dns_names(), ElementsAre("www.example.nl"));
  ASSERT_EQ(response.problems_size(), 1);
  EXPECT_THAT(response.problems(0), HasSubstr("sha1"));
  grpc::ClientContext bad_context;
  request.set_csr("not a csr");
  EXPECT_EQ(stub_->DecodeCsr(&bad_context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(WorkflowApiTest, ListProductsShowsTheCatalogue) {
  grpc::ClientContext context;
  v1::ListProductsResponse response;
  ASSERT_TRUE(stub_->ListProducts(&context, v1::ListProductsRequest(), &response).ok());
  ASSERT_EQ(response.products_size(), 2);
  EXPECT_EQ(response.products(0).product_id(), "dv");
  EXPECT_THAT(response.products(0).period_months(), ElementsAre(12, 24));
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
