// The authorization check in a real server in-process: identities reach
// the handler through CallerOf, refusals never run the handler and are
// counted by caller, health answers callers without a certificate,
// reflection every caller with one, and a changed policy file takes effect
// without a restart (a malformed change keeps the previous policy).
#include "common/grpc/authz.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>

#include "absl/time/clock.h"
#include "common/grpc/caller.h"
#include "common/grpc/server.h"
#include "common/metrics/metrics.h"
#include "common/testing/health.h"
#include "common/testing/subprocess.h"
#include "common/testing/test_certs.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::grpc_util {
namespace {

namespace cav1 = ::sslpanel::ca::v1;
using ::testing::HasSubstr;

constexpr char kService[] = "sslpanel.ca.v1.CaAdapterService";
constexpr char kPolicy[] = R"({
  "identities": [{"exact": "spiffe://test/caller", "role": "reader"}],
  "roles": {"reader": ["sslpanel.ca.v1.CaAdapterService/GetCapabilities",
                       "sslpanel.ca.v1.CaAdapterService/NoSuchMethod"]}})";

// Remembers who called; counts the handlers that ran.
class RecordingService final : public cav1::CaAdapterService::Service {
 public:
  grpc::Status GetCapabilities(grpc::ServerContext* context, const cav1::GetCapabilitiesRequest*,
                               cav1::GetCapabilitiesResponse*) override {
    Record(*context);
    return grpc::Status::OK;
  }
  grpc::Status SubmitOrder(grpc::ServerContext* context, const cav1::SubmitOrderRequest*,
                           cav1::SubmitOrderResponse*) override {
    Record(*context);
    return grpc::Status::OK;
  }
  // Needs "ops" whatever the policy grants, as the workflow's
  // OverridePrevalidation does.
  grpc::Status RevokeCertificate(grpc::ServerContext* context,
                                 const cav1::RevokeCertificateRequest*,
                                 cav1::RevokeCertificateResponse*) override {
    Record(*context);
    if (grpc::Status ops =
            RequireRole(*context, "sslpanel.ca.v1.CaAdapterService/RevokeCertificate", "ops");
        !ops.ok()) {
      return ops;
    }
    ++revoked;
    return grpc::Status::OK;
  }
  Caller last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }
  std::atomic<int> runs{0};
  std::atomic<int> revoked{0};

 private:
  void Record(const grpc::ServerContext& context) {
    ++runs;
    std::lock_guard<std::mutex> lock(mu_);
    last_ = CallerOf(context);
  }
  std::mutex mu_;
  Caller last_;
};

class AuthzServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("sslpanel-authz-");
    auto ca = testing::TestCa::Create("authz test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *ca;
    testing::CertSpec server;
    server.sans = {"DNS:localhost", "IP:127.0.0.1"};
    auto pair = ca_.Issue(server);
    ASSERT_TRUE(pair.ok());
    Write("ca.pem", ca_.ca().cert_pem);
    Write("server.pem", pair->cert_pem);
    Write("server-key.pem", pair->key_pem);
    Write("policy.json", kPolicy);
    ServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.shutdown_grace = absl::Seconds(1);
    config.tls = {Path("server.pem"), Path("server-key.pem"), Path("ca.pem")};
    config.authz_policy_file = Path("policy.json");
    config.authz_refresh = absl::Milliseconds(50);
    auto host = ServerHost::Start(config, {{&service_, kService}}, registry_);
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  void Write(const std::string& name, const std::string& contents) {
    ASSERT_TRUE(testing::WriteTextFile(Path(name), contents).ok());
  }

  // A channel presenting a certificate with `sans` ("" : none).
  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& san) {
    ChannelTls tls{Path("ca.pem"), "", ""};
    if (!san.empty()) {
      testing::CertSpec spec;
      spec.sans = {san};
      auto pair = ca_.Issue(spec);
      EXPECT_TRUE(pair.ok());
      const std::string name = std::to_string(++clients_);
      Write("client" + name + ".pem", pair->cert_pem);
      Write("client" + name + "-key.pem", pair->key_pem);
      tls = {Path("ca.pem"), Path("client" + name + ".pem"), Path("client" + name + "-key.pem")};
    }
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(host_->port()),
                               ChannelCredentialsFor(tls));
  }

  static grpc::Status Capabilities(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    cav1::GetCapabilitiesResponse response;
    return cav1::CaAdapterService::NewStub(channel)->GetCapabilities(&context, {}, &response);
  }
  static grpc::Status Submit(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    cav1::SubmitOrderResponse response;
    return cav1::CaAdapterService::NewStub(channel)->SubmitOrder(&context, {}, &response);
  }
  static grpc::Status Revoke(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    cav1::RevokeCertificateResponse response;
    return cav1::CaAdapterService::NewStub(channel)->RevokeCertificate(&context, {}, &response);
  }
  // Rewrites the policy and waits (bounded) until `probe` on `channel`
  // answers `code`: the reload has been applied.
  void Reload(const std::string& policy, const std::shared_ptr<grpc::Channel>& channel,
              grpc::Status (*probe)(const std::shared_ptr<grpc::Channel>&), grpc::StatusCode code) {
    Write("policy.json", policy);
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (probe(channel).error_code() != code && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(probe(channel).error_code(), code) << "the reloaded policy was not applied";
  }
  double Denied(const std::string& method, const std::string& identity) {
    return metrics::Value(*registry_, "sslpanel_authz_denied_total",
                          {{"service", kService}, {"method", method}, {"identity", identity}})
        .value_or(0);
  }

  std::string dir_;
  testing::TestCa ca_;
  RecordingService service_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<ServerHost> host_;
  int clients_ = 0;
};

TEST_F(AuthzServerTest, TheHandlerSeesTheCallerAndRefusedCallsNeverRunIt) {
  auto caller = ChannelAs("URI:spiffe://test/caller");
  ASSERT_TRUE(Capabilities(caller).ok());
  EXPECT_EQ(service_.last().identity, "spiffe://test/caller");
  EXPECT_EQ(service_.last().role, "reader");
  EXPECT_EQ(service_.runs, 1);

  const grpc::Status submit = Submit(caller);
  EXPECT_EQ(submit.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(submit.error_message(),
            "caller spiffe://test/caller (role reader) may not call "
            "sslpanel.ca.v1.CaAdapterService/SubmitOrder");
  const grpc::Status stranger = Submit(ChannelAs("DNS:stranger.internal"));
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stranger.error_message(),
            "caller stranger.internal is not listed in this server's policy");
  const grpc::Status anonymous = Submit(ChannelAs(""));
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status nameless = Submit(ChannelAs("IP:10.0.0.1"));
  EXPECT_EQ(nameless.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(nameless.error_message(), HasSubstr("names no identity"));
  EXPECT_EQ(service_.runs, 1) << "a refused call reached its handler";

  EXPECT_EQ(Denied("SubmitOrder", "spiffe://test/caller"), 1);
  EXPECT_EQ(Denied("SubmitOrder", "stranger.internal"), 1);
  EXPECT_EQ(Denied("SubmitOrder", "(none)"), 1);
  EXPECT_EQ(Denied("SubmitOrder", "(no identity)"), 1);
  // Paths nobody serves share one series, whatever a caller sends.
  grpc::GenericStub generic(ChannelAs(""));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::CompletionQueue queue;
  grpc::ByteBuffer empty;
  auto call = generic.PrepareUnaryCall(&context, "/x.Y/Random123", empty, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&empty, &status, nullptr);
  void* tag;
  bool ok;
  queue.Next(&tag, &ok);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      metrics::Value(*registry_, "sslpanel_authz_denied_total",
                     {{"service", "(unknown)"}, {"method", "(unknown)"}, {"identity", "(none)"}}),
      1);
}

TEST_F(AuthzServerTest, HealthAnswersEveryoneAndReflectionEveryCertificate) {
  const std::string target = "127.0.0.1:" + std::to_string(host_->port());
  auto anonymous = ChannelAs("");
  grpc::ClientContext health_context;
  grpc::health::v1::HealthCheckResponse health;
  EXPECT_TRUE(
      grpc::health::v1::Health::NewStub(anonymous)->Check(&health_context, {}, &health).ok());
  auto list = [](const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto stream = stub->ServerReflectionInfo(&context);
    grpc::reflection::v1alpha::ServerReflectionRequest request;
    request.set_list_services("");
    stream->Write(request);
    stream->WritesDone();
    grpc::reflection::v1alpha::ServerReflectionResponse response;
    while (stream->Read(&response)) {
    }
    return stream->Finish();
  };
  EXPECT_EQ(list(anonymous).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(list(ChannelAs("DNS:stranger.internal")).ok());
}

TEST_F(AuthzServerTest, AChangedPolicyTakesEffectAndAMalformedOneIsIgnored) {
  auto stranger = ChannelAs("URI:spiffe://test/stranger");
  ASSERT_EQ(Capabilities(stranger).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Write("policy.json", "{ not json");
  absl::SleepFor(absl::Milliseconds(300));
  auto caller = ChannelAs("URI:spiffe://test/caller");
  EXPECT_TRUE(Capabilities(caller).ok()) << "the previous policy was kept";
  Write("policy.json", R"({"identities": [{"prefix": "spiffe://test/", "role": "all"}],
                           "roles": {"all": ["sslpanel.ca.v1.CaAdapterService/*"]}})");
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  grpc::Status status = Submit(stranger);
  while (!status.ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    status = Submit(stranger);
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// The role is the current policy's on every call, not the one the
// connection had when it opened: an identity unlisted at connect and later
// granted a wildcard role is still refused an ops-only RPC on the same
// connection, and promotions and demotions apply without a reconnect.
TEST_F(AuthzServerTest, RolesFollowTheCurrentPolicyOnAnOpenConnection) {
  auto stranger = ChannelAs("URI:spiffe://test/stranger");
  ASSERT_EQ(Capabilities(stranger).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  Reload(R"({"identities": [{"prefix": "spiffe://test/", "role": "all"}],
             "roles": {"all": ["sslpanel.ca.v1.CaAdapterService/*"]}})",
         stranger, Capabilities, grpc::StatusCode::OK);
  EXPECT_EQ(service_.last().role, "all");
  EXPECT_TRUE(service_.last().roles_in_use);
  const grpc::Status wildcard = Revoke(stranger);
  EXPECT_EQ(wildcard.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(wildcard.error_message(),
            "caller spiffe://test/stranger (role all) may not call "
            "sslpanel.ca.v1.CaAdapterService/RevokeCertificate: that needs the ops role");
  EXPECT_EQ(service_.revoked, 0);
  EXPECT_EQ(Denied("RevokeCertificate", "spiffe://test/stranger"), 1)
      << "the in-handler refusal is counted like the others";

  Reload(R"({"identities": [{"exact": "spiffe://test/stranger", "role": "ops"}],
             "roles": {"ops": ["sslpanel.ca.v1.CaAdapterService/*"]}})",
         stranger, Revoke, grpc::StatusCode::OK);
  EXPECT_EQ(service_.last().role, "ops");
  EXPECT_GE(service_.revoked, 1) << "the promotion applied on the same connection";

  Reload(R"({"identities": [{"exact": "spiffe://test/stranger", "role": "all"}],
             "roles": {"all": ["sslpanel.ca.v1.CaAdapterService/*"]}})",
         stranger, Revoke, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service_.last().role, "all") << "the demotion applied on the same connection";
}

}  // namespace
}  // namespace sslpanel::grpc_util
