// The webhook RPCs through a real gRPC server on a real database: bad input
// is INVALID_ARGUMENT naming the field, missing things NOT_FOUND naming them,
// illegal actions FAILED_PRECONDITION naming the state, and every write is
// safe to retry with its request_id.
#include <grpcpp/grpcpp.h>

#include "common/grpc/server.h"
#include "common/mysql/migrator.h"
#include "common/testing/csr.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "workflow-service/src/app/testing/fake_event_feed.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/grpc/webhook_convert.h"
#include "workflow-service/src/grpc/workflow_service.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/webhooks/curl_webhooks.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class WebhookApiTest : public ::testing::Test {
 protected:
  WebhookApiTest() : clock_(absl::FromUnixSeconds(1780000000)), net_({/*allow_loopback=*/true}) {}

  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, WorkflowMigrations()).ok());
    repo_ = std::make_unique<storage::MysqlOrderRepository>(*pool_, "00000000000000a1");
    catalog_ = *app::ProductCatalog::Parse(R"({"products": [
      {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12],
       "max_additional_names": 5}]})");
    app_ = std::make_unique<app::WorkflowApp>(*repo_, catalog_, parser_, clock_);
    store_ = std::make_unique<storage::MysqlWebhookStore>(*pool_, keyring_);
    webhooks_ =
        std::make_unique<app::WebhookApp>(*store_, feed_, net_, crypto::OpenSslRandomBytes, clock_);
    service_ = std::make_unique<WorkflowServiceImpl>(*app_);
    service_->set_webhooks(webhooks_.get());
    auto host =
        grpc_util::ServerHost::Start({"127.0.0.1:0", absl::Seconds(1), ""},
                                     {{service_.get(), "sslpanel.workflow.v1.WorkflowService"}});
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    stub_ = v1::WorkflowService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(host_->port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Create(const v1::CreateWebhookSubscriptionRequest& request,
                      v1::CreateWebhookSubscriptionResponse* response) {
    grpc::ClientContext context;
    return stub_->CreateWebhookSubscription(&context, request, response);
  }

  v1::CreateWebhookSubscriptionRequest Good(const std::string& request_id) {
    v1::CreateWebhookSubscriptionRequest r;
    r.set_request_id(request_id);
    r.set_url("https://127.0.0.1:8443/hooks");
    r.add_event_types("CA_ISSUED");
    r.set_description("billing");
    return r;
  }

  static void ExpectError(const grpc::Status& status, grpc::StatusCode code,
                          const std::string& field) {
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  }

  FakeClock clock_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<storage::MysqlOrderRepository> repo_;
  app::ProductCatalog catalog_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<app::WorkflowApp> app_;
  crypto::Keyring keyring_;
  std::unique_ptr<storage::MysqlWebhookStore> store_;
  app::testing::FakeEventFeed feed_;
  webhooks::CurlWebhooks net_;
  std::unique_ptr<app::WebhookApp> webhooks_;
  std::unique_ptr<WorkflowServiceImpl> service_;
  std::unique_ptr<grpc_util::ServerHost> host_;
  std::unique_ptr<v1::WorkflowService::Stub> stub_;
};

TEST_F(WebhookApiTest, CreateRefusesBadInputNamingTheField) {
  struct Row {
    const char* name;
    std::function<void(v1::CreateWebhookSubscriptionRequest*)> spoil;
    const char* field;
  };
  const Row rows[] = {
      {"no request id", [](auto* r) { r->clear_request_id(); }, "request_id"},
      {"long request id", [](auto* r) { r->set_request_id(std::string(129, 'x')); }, "request_id"},
      {"no url", [](auto* r) { r->clear_url(); }, "url"},
      {"http", [](auto* r) { r->set_url("http://127.0.0.1:8443/hooks"); }, "url: must be an https"},
      {"not a url", [](auto* r) { r->set_url("hooks.example"); }, "url"},
      {"private", [](auto* r) { r->set_url("https://10.0.0.7/hooks"); }, "url"},
      {"link-local", [](auto* r) { r->set_url("https://[fe80::1]/hooks"); }, "url"},
      {"unknown type", [](auto* r) { r->add_event_types("CA_ISSUE"); }, "event_types"},
      {"twice", [](auto* r) { r->add_event_types("CA_ISSUED"); }, "event_types"},
      {"description", [](auto* r) { r->set_description(std::string(256, 'd')); }, "description"},
  };
  for (const Row& row : rows) {
    v1::CreateWebhookSubscriptionRequest request = Good(absl::StrCat("bad-", row.name));
    row.spoil(&request);
    v1::CreateWebhookSubscriptionResponse response;
    SCOPED_TRACE(row.name);
    ExpectError(Create(request, &response), grpc::StatusCode::INVALID_ARGUMENT, row.field);
  }
  v1::ListWebhookSubscriptionsResponse list;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ListWebhookSubscriptions(&context, {}, &list).ok());
  EXPECT_EQ(list.subscriptions_size(), 0) << "nothing refused was stored";
}

TEST_F(WebhookApiTest, CreateShowsTheSecretOnceAndToAReplay) {
  v1::CreateWebhookSubscriptionResponse first;
  ASSERT_TRUE(Create(Good("c1"), &first).ok());
  EXPECT_THAT(first.secret(), StartsWith("whsec_"));
  EXPECT_EQ(first.subscription().url(), "https://127.0.0.1:8443/hooks");
  EXPECT_EQ(first.subscription().event_types(0), "CA_ISSUED");
  v1::CreateWebhookSubscriptionResponse replay;
  ASSERT_TRUE(Create(Good("c1"), &replay).ok());
  EXPECT_EQ(replay.subscription().subscription_id(), first.subscription().subscription_id());
  EXPECT_EQ(replay.secret(), first.secret());
  v1::CreateWebhookSubscriptionRequest other = Good("c1");
  other.set_description("something else");
  v1::CreateWebhookSubscriptionResponse refused;
  ExpectError(Create(other, &refused), grpc::StatusCode::ALREADY_EXISTS, "request_id");
  // Reads never show it.
  v1::GetWebhookSubscriptionRequest get;
  get.set_subscription_id(first.subscription().subscription_id());
  v1::GetWebhookSubscriptionResponse got;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetWebhookSubscription(&context, get, &got).ok());
  EXPECT_EQ(got.subscription().description(), "billing");
  std::string wire;
  got.SerializeToString(&wire);
  EXPECT_EQ(wire.find(first.secret()), std::string::npos);
}

TEST_F(WebhookApiTest, MissingOrMalformedIdsAreNamed) {
  {
    v1::GetWebhookSubscriptionRequest r;
    r.set_subscription_id("42");
    v1::GetWebhookSubscriptionResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->GetWebhookSubscription(&c, r, &out), grpc::StatusCode::NOT_FOUND,
                "subscription_id");
  }
  {
    v1::GetWebhookSubscriptionRequest r;
    r.set_subscription_id("abc");
    v1::GetWebhookSubscriptionResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->GetWebhookSubscription(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "subscription_id");
  }
  {
    v1::UpdateWebhookSubscriptionRequest r;
    r.set_request_id("u");
    r.set_subscription_id("42");
    r.set_rotate_secret(true);
    v1::UpdateWebhookSubscriptionResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->UpdateWebhookSubscription(&c, r, &out), grpc::StatusCode::NOT_FOUND,
                "subscription_id");
  }
  {
    v1::DeleteWebhookSubscriptionRequest r;
    r.set_request_id("d");
    r.set_subscription_id("42");
    v1::DeleteWebhookSubscriptionResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->DeleteWebhookSubscription(&c, r, &out), grpc::StatusCode::NOT_FOUND,
                "subscription_id");
  }
  {
    v1::RedeliverWebhookRequest r;
    r.set_request_id("r");
    r.set_delivery_id("42");
    v1::RedeliverWebhookResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->RedeliverWebhook(&c, r, &out), grpc::StatusCode::NOT_FOUND, "delivery_id");
  }
  {
    v1::DismissWebhookDeliveryRequest r;
    r.set_request_id("x");
    v1::DismissWebhookDeliveryResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->DismissWebhookDelivery(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "delivery_id");
  }
  {
    v1::ListWebhookDeliveriesRequest r;
    r.set_page_token("forged");
    v1::ListWebhookDeliveriesResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->ListWebhookDeliveries(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "page_token");
  }
  {
    v1::ListWebhookDeliveriesRequest r;
    r.set_subscription_id("-1");
    v1::ListWebhookDeliveriesResponse out;
    grpc::ClientContext c;
    ExpectError(stub_->ListWebhookDeliveries(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "subscription_id");
  }
}

TEST_F(WebhookApiTest, UpdatePausesRotatesAndRefusesUnknownPaths) {
  v1::CreateWebhookSubscriptionResponse created;
  ASSERT_TRUE(Create(Good("c"), &created).ok());
  const std::string id = created.subscription().subscription_id();
  v1::UpdateWebhookSubscriptionRequest r;
  r.set_request_id("u1");
  r.set_subscription_id(id);
  r.mutable_update_mask()->add_paths("colour");
  v1::UpdateWebhookSubscriptionResponse out;
  {
    grpc::ClientContext c;
    ExpectError(stub_->UpdateWebhookSubscription(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "update_mask");
  }
  r.mutable_update_mask()->clear_paths();
  r.mutable_update_mask()->add_paths("paused");
  r.mutable_update_mask()->add_paths("url");
  r.set_paused(true);
  r.set_url("http://127.0.0.1/x");
  {
    grpc::ClientContext c;
    ExpectError(stub_->UpdateWebhookSubscription(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "url");
  }
  r.set_url("https://[::1]:9443/x");
  r.set_rotate_secret(true);
  r.set_previous_secret_grace_seconds(700000);
  {
    grpc::ClientContext c;
    ExpectError(stub_->UpdateWebhookSubscription(&c, r, &out), grpc::StatusCode::INVALID_ARGUMENT,
                "previous_secret_grace_seconds");
  }
  r.set_previous_secret_grace_seconds(60);
  {
    grpc::ClientContext c;
    ASSERT_TRUE(stub_->UpdateWebhookSubscription(&c, r, &out).ok());
  }
  EXPECT_TRUE(out.subscription().paused());
  EXPECT_EQ(out.subscription().url(), "https://[::1]:9443/x");
  EXPECT_THAT(out.secret(), StartsWith("whsec_"));
  EXPECT_NE(out.secret(), created.secret());
  EXPECT_EQ(out.subscription().previous_secret_expire_time().seconds(), 1780000000 + 60);
  EXPECT_EQ(out.subscription().event_types(0), "CA_ISSUED") << "not in the mask: kept";
  // A replay answers with the same new secret and rotates nothing more.
  v1::UpdateWebhookSubscriptionResponse replay;
  {
    grpc::ClientContext c;
    ASSERT_TRUE(stub_->UpdateWebhookSubscription(&c, r, &replay).ok());
  }
  EXPECT_EQ(replay.secret(), out.secret());
}

TEST_F(WebhookApiTest, DeleteIsIdempotentAndThenNotFound) {
  v1::CreateWebhookSubscriptionResponse created;
  ASSERT_TRUE(Create(Good("c"), &created).ok());
  v1::DeleteWebhookSubscriptionRequest r;
  r.set_request_id("del");
  r.set_subscription_id(created.subscription().subscription_id());
  v1::DeleteWebhookSubscriptionResponse out;
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext c;
    EXPECT_TRUE(stub_->DeleteWebhookSubscription(&c, r, &out).ok()) << "attempt " << i;
  }
  r.set_request_id("del-again");
  grpc::ClientContext c;
  ExpectError(stub_->DeleteWebhookSubscription(&c, r, &out), grpc::StatusCode::NOT_FOUND,
              "subscription_id");
}

TEST_F(WebhookApiTest, ListsPageOldestFirst) {
  for (int i = 0; i < 3; ++i) {
    v1::CreateWebhookSubscriptionResponse created;
    ASSERT_TRUE(Create(Good(absl::StrCat("c", i)), &created).ok());
  }
  v1::ListWebhookSubscriptionsRequest r;
  r.set_page_size(2);
  v1::ListWebhookSubscriptionsResponse page;
  {
    grpc::ClientContext c;
    ASSERT_TRUE(stub_->ListWebhookSubscriptions(&c, r, &page).ok());
  }
  ASSERT_EQ(page.subscriptions_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  r.set_page_token(page.next_page_token());
  v1::ListWebhookSubscriptionsResponse rest;
  {
    grpc::ClientContext c;
    ASSERT_TRUE(stub_->ListWebhookSubscriptions(&c, r, &rest).ok());
  }
  ASSERT_EQ(rest.subscriptions_size(), 1);
  EXPECT_TRUE(rest.next_page_token().empty());
  EXPECT_LT(std::stoll(page.subscriptions(1).subscription_id()),
            std::stoll(rest.subscriptions(0).subscription_id()));
  r.set_page_size(501);
  grpc::ClientContext c;
  ExpectError(stub_->ListWebhookSubscriptions(&c, r, &rest), grpc::StatusCode::INVALID_ARGUMENT,
              "page_size");
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api

namespace sslpanel::workflow::grpc_api {
namespace {

// The body a receiver gets: the event and the order as of that event (its
// version then, even after the order moved on), in the API's JSON shape.
TEST_F(WebhookApiTest, PayloadCarriesTheOrderAsOfTheEvent) {
  repo_->set_snapshot_encoder(
      [this](const app::OrderRecord& record) { return EncodeOrderSnapshot(*app_, record); });
  app::NewOrderInput input;
  input.external_order_id = "ext-payload";
  input.product_id = "dv";
  input.period_months = 12;
  input.common_name = "www.example.com";
  input.csr = testing::MakeCsr("www.example.com");
  input.dcv_method = domain::DcvMethod::kDns;
  input.draft = true;
  app::Caller caller;
  caller.request_id = "create";
  caller.method = "CreateOrder";
  auto created = app_->CreateOrder(input, caller);
  ASSERT_TRUE(created.ok()) << created.status();
  const int64_t order_id = created->order.id;
  clock_.Advance(absl::Minutes(5));
  caller.request_id = "cancel";
  caller.method = "CancelCertificate";
  ASSERT_TRUE(app_->CancelCertificate(order_id, std::nullopt, "test", caller).ok());

  auto events = app_->ListEvents(order_id, 0, 10);
  ASSERT_TRUE(events.ok());
  app::CommittedEvent first;
  first.order_id = order_id;
  first.external_order_id = "ext-payload";
  first.order_version = 1;
  first.record = events->events[0];
  auto body = WebhookPayload(first, *store_->GetSnapshot(order_id, 1));
  ASSERT_TRUE(body.ok()) << body.status();
  const nlohmann::json json = nlohmann::json::parse(*body);
  EXPECT_EQ(json["type"], "CREATED");
  EXPECT_EQ(json["event_id"], absl::StrCat(first.record.id));
  EXPECT_EQ(json["timestamp"], "2026-05-28T20:26:40Z");
  EXPECT_EQ(json["data"]["event_id"], json["event_id"]);
  EXPECT_EQ(json["data"]["occur_time"], "2026-05-28T20:26:40Z");
  EXPECT_EQ(json["data"]["event"]["type"], "CREATED");
  EXPECT_EQ(json["data"]["event"]["toStatus"], "CERTIFICATE_STATUS_OPEN");
  EXPECT_EQ(json["data"]["order"]["orderId"], absl::StrCat(order_id));
  EXPECT_EQ(json["data"]["order"]["externalOrderId"], "ext-payload");
  EXPECT_EQ(json["data"]["order"]["certificates"][0]["status"], "CERTIFICATE_STATUS_OPEN")
      << "as of the event, not the REJECTED it is now";
  // No snapshot kept: the rest of the body still goes out.
  auto bare = WebhookPayload(first, std::nullopt);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(nlohmann::json::parse(*bare)["data"].contains("order"));
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
