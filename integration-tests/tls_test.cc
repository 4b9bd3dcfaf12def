// TLS between the services: every server on mutual TLS, the workflow calling
// prevalidation and the CA adapter with its client certificate, and the test
// as an internal client presenting one too. Then who is refused: plaintext
// clients, clients without a certificate, clients that trust another CA or
// expect another name. And the plaintext health port, which serves health
// and nothing else.
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/server.h"
#include "common/grpc/tls.h"
#include "common/testing/health.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::integration {
namespace {

using ::testing::ElementsAre;

class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SystemOptions options;
    options.mutual_tls = true;
    auto system = System::Start(options);
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = system->release();
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(system_, nullptr) << "the system did not start"; }

  // GetOrder for an unknown order through `credentials`: NOT_FOUND means the
  // call got through the handshake to the service.
  static grpc::StatusCode Call(std::shared_ptr<grpc::ChannelCredentials> credentials,
                               const std::string& name_override = "") {
    grpc::ChannelArguments arguments;
    if (!name_override.empty()) {
      arguments.SetSslTargetNameOverride(name_override);
    }
    auto stub = v1::WorkflowService::NewStub(grpc::CreateCustomChannel(
        system_->workflow_process().target(), std::move(credentials), arguments));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetOrderRequest request;
    request.set_order_id("999999");
    v1::GetOrderResponse response;
    return stub->GetOrder(&context, request, &response).error_code();
  }

  static System* system_;
};

System* MutualTlsTest::system_ = nullptr;

TEST_F(MutualTlsTest, OrdersGoThroughPrevalidationAndTheCaOverMutualTls) {
  // A Dutch OV order: the workflow calls prevalidation, then the CA adapter.
  auto created = Create(system_->workflow(), DutchOvOrder("tls-ov", "Test BV Donald"));
  ASSERT_TRUE(created.ok()) << created.status();
  auto active = system_->WaitFor(
      created->order_id(),
      [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE over mutual TLS");
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->prevalidation().report().overall(), sslpanel::prevalidation::v1::OVERALL_PASS);
  auto events = Events(system_->workflow(), active->order_id());
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(EventTypes(*events), ElementsAre("CREATED", "SUBMITTED", "PREVALIDATION_PASSED",
                                               "CA_ACCEPTED", "CA_ISSUED"));
}

TEST_F(MutualTlsTest, TheRightClientCertificateGetsThrough) {
  const ca::testing::TlsServerFiles& tls = system_->tls();
  EXPECT_EQ(Call(grpc_util::ChannelCredentialsFor({tls.ca_cert_path, tls.cert_path, tls.key_path})),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(MutualTlsTest, PlaintextClientsAreRefused) {
  EXPECT_EQ(Call(grpc::InsecureChannelCredentials()), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, ClientsWithoutACertificateAreRefused) {
  // Asked for, not required at the handshake: the authorization check
  // refuses the call itself, with a code that says why.
  EXPECT_EQ(Call(grpc_util::ChannelCredentialsFor({system_->tls().ca_cert_path, "", ""})),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(MutualTlsTest, ClientsRefuseAServerTheirCaDidNotCertify) {
  const ca::testing::TlsServerFiles& tls = system_->tls();
  EXPECT_EQ(
      Call(grpc_util::ChannelCredentialsFor({tls.other_ca_cert_path, tls.cert_path, tls.key_path})),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, ClientsRefuseAServerCertifiedForAnotherName) {
  const ca::testing::TlsServerFiles& tls = system_->tls();
  auto credentials =
      grpc_util::ChannelCredentialsFor({tls.ca_cert_path, tls.cert_path, tls.key_path});
  EXPECT_EQ(Call(credentials, "localhost"), grpc::StatusCode::NOT_FOUND);  // named in it
  EXPECT_EQ(Call(credentials, "workflow.example.com"), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, TheHealthPortServesHealthAloneInPlaintext) {
  grpc_util::ServerConfig config;
  config.listen_address = "127.0.0.1:0";
  config.health_listen = "127.0.0.1:0";
  const ca::testing::TlsServerFiles& tls = system_->tls();
  config.tls = {tls.cert_path, tls.key_path, tls.ca_cert_path};
  sslpanel::ca::v1::CaAdapterService::Service adapter;
  auto host = grpc_util::ServerHost::Start(config, {{&adapter, "sslpanel.ca.v1.CaAdapterService"}});
  ASSERT_TRUE(host.ok()) << host.status();
  ASSERT_NE((*host)->health_port(), 0);
  const std::string health_target = absl::StrCat("127.0.0.1:", (*host)->health_port());
  EXPECT_TRUE(
      testing::WaitForServing(health_target, "sslpanel.ca.v1.CaAdapterService", absl::Seconds(5))
          .ok());
  // The adapter's API is not on the plaintext port...
  auto plain = sslpanel::ca::v1::CaAdapterService::NewStub(
      grpc::CreateChannel(health_target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  sslpanel::ca::v1::GetCapabilitiesResponse capabilities;
  EXPECT_EQ(plain->GetCapabilities(&context, {}, &capabilities).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // ...and the TLS port does not speak plaintext.
  EXPECT_FALSE(testing::WaitForServing(absl::StrCat("127.0.0.1:", (*host)->port()), "",
                                       absl::Milliseconds(300))
                   .ok());
  // It goes away with the server.
  (*host)->Shutdown();
  EXPECT_FALSE(testing::WaitForServing(health_target, "", absl::Milliseconds(300)).ok());
}

TEST(TlsConfigTest, BadFilesAreNamedByTheirFlags) {
  grpc_util::ServerTls server{"/nonexistent/cert.pem", "", ""};
  EXPECT_THAT(std::string(server.Validate().message()),
              ::testing::HasSubstr("--tls_cert_file and --tls_key_file"));
  server = {"/nonexistent/cert.pem", "/nonexistent/key.pem", ""};
  EXPECT_THAT(std::string(server.Validate().message()),
              ::testing::HasSubstr("--tls_cert_file names a file that cannot be read"));
  server = {"", "", "/nonexistent/ca.pem"};
  EXPECT_THAT(std::string(server.Validate().message()),
              ::testing::HasSubstr("--tls_client_ca_file needs"));
  grpc_util::ChannelTls client{"", "/nonexistent/cert.pem", "/nonexistent/key.pem"};
  EXPECT_THAT(std::string(client.Validate("--upstream_tls").message()),
              ::testing::HasSubstr("--upstream_tls_cert_file needs --upstream_tls_ca_file"));
}

}  // namespace
}  // namespace sslpanel::integration
