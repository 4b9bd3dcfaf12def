// Who may call what, over the real binaries with their default policies
// (config/authz/): every caller identity against every RPC of the workflow,
// the sandbox CA adapter and the prevalidation service, the RPCs enumerated
// from the services' descriptors. The expectations below are the
// specification, written independently of the policy files: an RPC added to
// a proto without an entry here fails the test, and so does a policy that
// grants more or less than this. Refused calls change nothing in either
// database. Then the events: each records the authenticated caller, and a
// prevalidation override is refused to panel and recorded with the ops
// identity.
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/grpc/tls.h"
#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"
#include "sslpanel/prevalidation/v1/prevalidation.grpc.pb.h"

namespace sslpanel::integration {
namespace {

namespace pb = ::google::protobuf;
using ::testing::HasSubstr;

constexpr char kWorkflow[] = "sslpanel.workflow.v1.WorkflowService";
constexpr char kCa[] = "sslpanel.ca.v1.CaAdapterService";
constexpr char kPrevalidation[] = "sslpanel.prevalidation.v1.PrevalidationService";
constexpr char kTrust[] = "spiffe://sslpanel.local/";

enum Who { kNoCert, kUnlisted, kOtherCa, kBilling, kPanel, kConsole, kOps, kAuditor, kSelf };

struct Identity {
  Who who;
  const char* label;
  std::string uri;  // the certificate's SPIFFE ID; empty: no certificate
};

const std::vector<Identity>& Identities() {
  static const auto* identities = new std::vector<Identity>{
      {kNoCert, "no certificate", ""},
      {kUnlisted, "our CA, unlisted", absl::StrCat(kTrust, "stranger")},
      {kOtherCa, "another CA", absl::StrCat(kTrust, "billing")},
      {kBilling, "billing", absl::StrCat(kTrust, "billing")},
      {kPanel, "panel", absl::StrCat(kTrust, "panel")},
      {kConsole, "console (panel)", absl::StrCat(kTrust, "console")},
      {kOps, "ops/alice", absl::StrCat(kTrust, "ops/alice")},
      {kAuditor, "auditor", absl::StrCat(kTrust, "auditor")},
      {kSelf, "workflow", absl::StrCat(kTrust, "workflow")},
  };
  return *identities;
}

// Who may call each RPC: the specification of "Who may call what".
const std::map<std::string, std::set<Who>>& Expected() {
  static const auto* expected = [] {
    auto* m = new std::map<std::string, std::set<Who>>;
    const std::set<Who> reads = {kBilling, kPanel, kConsole, kOps, kAuditor};
    for (const char* rpc : {"GetOrder", "ListOrders", "GetWorkflow", "ListOrderEvents"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = reads;
    }
    (*m)[absl::StrCat(kWorkflow, "/ListProducts")] = reads;
    (*m)[absl::StrCat(kWorkflow, "/DecodeCsr")] = {kBilling, kPanel, kConsole, kOps};
    for (const char* rpc :
         {"CreateOrder", "UpdateOrder", "SubmitOrder", "CancelCertificate", "ReissueCertificate",
          "RenewOrder", "ChangeDcvMethod", "ResendDcvEmail", "ListApproverEmails"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = {kBilling, kOps};
    }
    for (const char* rpc : {"OverridePrevalidation", "ResolveCaSubmission"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = {kOps};
    }
    for (const char* rpc :
         {"SubmitOrder", "CancelOrder", "RevokeCertificate", "ReissueCertificate", "RenewOrder",
          "ChangeDcvMethod", "ResendDcvEmail", "ResolveSubmission"}) {
      (*m)[absl::StrCat(kCa, "/", rpc)] = {kSelf};
    }
    for (const char* rpc : {"GetCapabilities", "GetOrderStatus", "ListApproverEmails"}) {
      (*m)[absl::StrCat(kCa, "/", rpc)] = {kSelf, kOps};
    }
    (*m)[absl::StrCat(kPrevalidation, "/Prevalidate")] = {kSelf, kOps};
    return m;
  }();
  return *expected;
}

class AuthzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SystemOptions options;
    options.mutual_tls = true;
    options.authz = true;
    auto system = System::Start(options);
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = system->release();
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(system_, nullptr) << "the system did not start"; }

  // Credentials presenting `identity`'s certificate (none, or one of
  // another CA, as it says).
  static std::shared_ptr<grpc::ChannelCredentials> CredentialsOf(const Identity& identity) {
    const std::string& ca = system_->tls().ca_cert_path;
    if (identity.who == kNoCert) {
      return grpc_util::ChannelCredentialsFor({ca, "", ""});
    }
    if (identity.who == kSelf) {
      return grpc_util::ChannelCredentialsFor(
          {ca, system_->tls().cert_path, system_->tls().key_path});
    }
    auto issuer = identity.who == kOtherCa ? testing::TestCa::Create("foreign CA")
                                           : absl::StatusOr<testing::TestCa>(system_->test_ca());
    testing::CertSpec spec;
    spec.sans = {"URI:" + identity.uri};
    auto pair = issuer->Issue(spec);
    EXPECT_TRUE(pair.ok()) << pair.status();
    const std::string base = absl::StrCat(system_->dir(), "/client-", identity.who);
    EXPECT_TRUE(testing::WriteTextFile(base + "-cert.pem", pair->cert_pem).ok());
    EXPECT_TRUE(testing::WriteTextFile(base + "-key.pem", pair->key_pem).ok());
    return grpc_util::ChannelCredentialsFor({ca, base + "-cert.pem", base + "-key.pem"});
  }

  static v1::WorkflowService::Stub& Workflow(const Identity& identity) {
    static std::map<Who, std::unique_ptr<v1::WorkflowService::Stub>> stubs;
    auto& stub = stubs[identity.who];
    if (stub == nullptr) {
      stub = v1::WorkflowService::NewStub(
          grpc::CreateChannel(system_->workflow_process().target(), CredentialsOf(identity)));
    }
    return *stub;
  }

  static System* system_;
};

System* AuthzTest::system_ = nullptr;

// A unary call with a serialized request through a generic stub.
grpc::Status CallRaw(grpc::GenericStub& stub, const std::string& method, const std::string& bytes) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::CompletionQueue queue;
  auto call = stub.PrepareUnaryCall(&context, "/" + method, request, &queue);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  return status;
}

// What the databases hold that any admitted mutation would change.
std::string Fingerprint(const mysql::MysqlConfig& config, const std::string& sql) {
  auto pool = mysql::ConnectionPool::Create(config);
  EXPECT_TRUE(pool.ok()) << pool.status();
  std::string value;
  EXPECT_TRUE((*pool)
                  ->Run("fingerprint",
                        [&](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
                          rows->next();
                          value = rows->getString(1);
                          return absl::OkStatus();
                        })
                  .ok());
  return value;
}

std::string Databases(System& system) {
  return Fingerprint(system.workflow_db(),
                     "SELECT CONCAT((SELECT COUNT(*) FROM orders), '/',"
                     " (SELECT COALESCE(SUM(version), 0) FROM orders), '/',"
                     " (SELECT COUNT(*) FROM order_events), '/', (SELECT COUNT(*) FROM outbox),"
                     " '/', (SELECT COUNT(*) FROM request_ids))") +
         " " +
         Fingerprint(system.sandbox_db(),
                     "SELECT CONCAT((SELECT COUNT(*) FROM ca_idempotency), '/',"
                     " (SELECT COUNT(*) FROM sandbox_orders))");
}

// A request that would act if admitted: ids of real orders, fresh request
// ids and keys, a valid body where the RPC needs one.
struct Targets {
  std::string draft, active, held;
};

std::string RequestFor(const pb::MethodDescriptor& method, const Targets& targets, int serial) {
  pb::DynamicMessageFactory factory;
  std::unique_ptr<pb::Message> request(factory.GetPrototype(method.input_type())->New());
  const std::string name = method.name();
  const std::string service = method.service()->full_name();
  if (service == kWorkflow && name == "CreateOrder") {
    return DvOrder(absl::StrCat("authz-", serial), absl::StrCat("authz", serial, ".example.com"))
        .SerializeAsString();
  }
  if (service == kCa && name == "SubmitOrder") {
    ca::v1::SubmitOrderRequest submit;
    submit.set_idempotency_key(absl::StrCat("authz-", serial));
    submit.set_common_name("authz.example.com");
    submit.set_csr(testing::MakeCsr("authz.example.com", {"authz.example.com"}));
    submit.set_validation_type(ca::v1::VALIDATION_TYPE_DV);
    submit.set_period_months(12);
    return submit.SerializeAsString();
  }
  const std::string order = name == "UpdateOrder" || name == "SubmitOrder" ? targets.draft
                            : name == "OverridePrevalidation"              ? targets.held
                                                                           : targets.active;
  const pb::Reflection* reflection = request->GetReflection();
  auto set = [&](const char* field, const std::string& value) {
    if (const pb::FieldDescriptor* f = method.input_type()->FindFieldByName(field);
        f != nullptr && f->type() == pb::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
      reflection->SetString(request.get(), f, value);
    }
  };
  set("request_id", absl::StrCat("authz-req-", serial));
  set("idempotency_key", absl::StrCat("authz-key-", serial));
  set("order_id", order);
  set("reason", "authorization test");
  set("actor", "operator:test");
  set("csr", testing::MakeCsr("www.authz.example.com", {"www.authz.example.com"}));
  return request->SerializeAsString();
}

TEST_F(AuthzTest, EveryIdentityAgainstEveryRpcOfTheThreeServices) {
  // Orders the mutations aim at: a draft, an ACTIVE one, one held by prevalidation.
  v1::WorkflowService::Stub& ops = system_->workflow();
  v1::CreateOrderRequest draft_request = DvOrder("authz-draft", "draft.example.com");
  draft_request.set_draft(true);
  auto draft = Create(ops, draft_request);
  auto active = Create(ops, DvOrder("authz-active", "active.example.com"));
  auto held = Create(ops, DutchOvOrder("authz-held", "Tset B.V."));
  ASSERT_TRUE(draft.ok() && active.ok() && held.ok());
  const Targets targets{draft->order_id(), active->order_id(), held->order_id()};
  ASSERT_TRUE(
      system_
          ->WaitFor(
              targets.active,
              [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
              "ACTIVE")
          .ok());
  ASSERT_TRUE(system_
                  ->WaitFor(
                      targets.held,
                      [](const v1::Order& o) {
                        return o.certificates(0).hold_reason() ==
                               v1::HOLD_REASON_PREVALIDATION_FAILED;
                      },
                      "held by prevalidation")
                  .ok());

  struct Call {
    const Identity* identity;
    const pb::MethodDescriptor* method;
    std::string full_name;
    bool admitted;
  };
  std::vector<Call> calls;
  const std::map<std::string, std::string> targets_of = {
      {kWorkflow, system_->workflow_process().target()},
      {kCa, system_->sandbox().target()},
      {kPrevalidation, system_->prevalidation().target()}};
  for (const auto& [service_name, target] : targets_of) {
    const pb::ServiceDescriptor* service =
        pb::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      const std::string full_name = absl::StrCat(service_name, "/", method->name());
      auto expected = Expected().find(full_name);
      if (expected == Expected().end()) {
        ADD_FAILURE() << full_name << " has no entry in this test's specification: add it here, "
                      << "to the default policy in config/authz/ and to the README table";
        continue;
      }
      ASSERT_FALSE(method->client_streaming() || method->server_streaming())
          << full_name << ": a streaming RPC; teach CallRaw to open a stream";
      for (const Identity& identity : Identities()) {
        calls.push_back({&identity, method, full_name, expected->second.count(identity.who) > 0});
      }
    }
  }
  std::map<std::pair<Who, std::string>, std::unique_ptr<grpc::GenericStub>> stubs;
  auto stub_for = [&](const Call& call) -> grpc::GenericStub& {
    const std::string service = call.method->service()->full_name();
    auto& stub = stubs[{call.identity->who, service}];
    if (stub == nullptr) {
      stub = std::make_unique<grpc::GenericStub>(
          grpc::CreateChannel(targets_of.at(service), CredentialsOf(*call.identity)));
    }
    return *stub;
  };

  // Refusals first, while nothing else moves: not one of them may change
  // either database.
  const std::string before = Databases(*system_);
  int serial = 0;
  int refused = 0;
  for (const Call& call : calls) {
    if (call.admitted) {
      continue;
    }
    ++refused;
    const grpc::Status status =
        CallRaw(stub_for(call), call.full_name, RequestFor(*call.method, targets, ++serial));
    SCOPED_TRACE(absl::StrCat(call.identity->label, " -> ", call.full_name, ": ",
                              status.error_code(), " ", status.error_message()));
    switch (call.identity->who) {
      case kNoCert:
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        break;
      case kOtherCa:  // its certificate fails the handshake
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
        break;
      default: {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_THAT(status.error_message(), HasSubstr(call.identity->uri));
        const bool listed = status.error_message().find("(role ") != std::string::npos;
        EXPECT_THAT(status.error_message(),
                    HasSubstr(listed ? call.full_name : "is not listed in this server's policy"));
      }
    }
  }
  EXPECT_EQ(Databases(*system_), before) << "a refused call changed a database";

  int admitted = 0;
  for (const Call& call : calls) {
    if (!call.admitted) {
      continue;
    }
    ++admitted;
    const grpc::Status status =
        CallRaw(stub_for(call), call.full_name, RequestFor(*call.method, targets, ++serial));
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << call.full_name;
    EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << call.identity->label << " -> " << call.full_name << ": " << status.error_message();
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE) << call.full_name;
  }
  EXPECT_GT(refused, 150);
  EXPECT_GT(admitted, 50);
}

TEST_F(AuthzTest, EventsRecordTheAuthenticatedCaller) {
  v1::CreateOrderRequest request = DvOrder("authz-events", "events.example.com");
  request.set_actor("on behalf of customer 123");
  auto created = Create(Workflow(Identities()[kBilling]), request);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(
      system_
          ->WaitFor(
              created->order_id(),
              [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
              "ACTIVE")
          .ok());
  auto events = Events(Workflow(Identities()[kAuditor]), created->order_id());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_GE(events->size(), 4u);
  for (const v1::Event& event : *events) {
    if (event.type() == "CREATED" || event.type() == "SUBMITTED") {
      EXPECT_EQ(event.caller(), "spiffe://sslpanel.local/billing") << event.type();
      EXPECT_EQ(event.actor(), "on behalf of customer 123");
    } else {  // the CA's answers, recorded by the workflow's loops
      EXPECT_THAT(event.caller(), ::testing::StartsWith("system:")) << event.type();
    }
  }
}

TEST_F(AuthzTest, AnOverrideNeedsOpsAndRecordsTheOperatorsIdentity) {
  auto held = Create(system_->workflow(), DutchOvOrder("authz-override", "Tset B.V."));
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_TRUE(system_
                  ->WaitFor(
                      held->order_id(),
                      [](const v1::Order& o) {
                        return o.certificates(0).hold_reason() ==
                               v1::HOLD_REASON_PREVALIDATION_FAILED;
                      },
                      "held by prevalidation")
                  .ok());
  auto override_as = [&](const Identity& identity, const std::string& request_id) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::OverridePrevalidationRequest request;
    request.set_request_id(request_id);
    request.set_order_id(held->order_id());
    request.set_reason("name checked by phone");
    v1::OverridePrevalidationResponse response;
    return Workflow(identity).OverridePrevalidation(&context, request, &response);
  };
  const grpc::Status by_panel = override_as(Identities()[kPanel], "override-panel");
  EXPECT_EQ(by_panel.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(by_panel.error_message(),
              HasSubstr("caller spiffe://sslpanel.local/panel (role panel) may not call "
                        "sslpanel.workflow.v1.WorkflowService/OverridePrevalidation"));
  // No actor typed: the certificate says who the operator is.
  const grpc::Status by_ops = override_as(Identities()[kOps], "override-ops");
  ASSERT_TRUE(by_ops.ok()) << by_ops.error_message();
  auto order = Get(system_->workflow(), held->order_id());
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->prevalidation().overridden_by(), "spiffe://sslpanel.local/ops/alice");
  auto events = Events(system_->workflow(), held->order_id());
  ASSERT_TRUE(events.ok());
  bool found = false;
  for (const v1::Event& event : *events) {
    if (event.reason() == "name checked by phone") {
      found = true;
      EXPECT_EQ(event.caller(), "spiffe://sslpanel.local/ops/alice") << event.type();
    }
  }
  EXPECT_TRUE(found) << "no override event";
}

}  // namespace
}  // namespace sslpanel::integration
