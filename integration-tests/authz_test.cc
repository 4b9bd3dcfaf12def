// Who may call what, over the real binaries with their default policies
// (config/authz/): every caller identity against every RPC of the workflow,
// the sandbox CA adapter and the prevalidation service, the RPCs enumerated
// from the services' descriptors. The expectations (authz_spec.h) are the
// specification, written independently of the policy files: an RPC added to
// a proto without an entry there fails the test, and so does a policy that
// grants more or less than this. Refused calls change nothing in either
// database (a checksum of every row, authz_fingerprint.h), and each admitted
// CA mutation does change it, so that check can fail. Then the events: each records the
// authenticated caller, and a prevalidation override is refused to panel and recorded with the ops
// identity.
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/tls.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/authz_fingerprint.h"
#include "integration-tests/authz_spec.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"
#include "sslpanel/prevalidation/v1/prevalidation.grpc.pb.h"

namespace sslpanel::integration {
namespace {

namespace pb = ::google::protobuf;
namespace cav1 = ::sslpanel::ca::v1;
using ::testing::HasSubstr;

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

  // A sandbox CA order the workflow identity submits itself (the adapter's
  // mutations need a real ca_order_id), waited on until the sandbox has
  // decided it, so that nothing changes it behind the test's back.
  static void SubmitSandboxOrder(Targets* targets) {
    auto stub = cav1::CaAdapterService::NewStub(
        grpc::CreateChannel(system_->sandbox().target(), CredentialsOf(Identities()[kSelf])));
    cav1::SubmitOrderRequest submit;
    ASSERT_TRUE(submit.ParseFromString(RequestFor(
        *pb::DescriptorPool::generated_pool()->FindMethodByName(absl::StrCat(kCa, ".SubmitOrder")),
        *targets, 0)));
    submit.set_idempotency_key("authz-ca-order");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    cav1::SubmitOrderResponse submitted;
    const grpc::Status status = stub->SubmitOrder(&context, submit, &submitted);
    ASSERT_TRUE(status.ok()) << status.error_message();
    targets->ca_order_id = submitted.status().ca_order_id();
    targets->ca_submit_key = submit.idempotency_key();
    ASSERT_FALSE(targets->ca_order_id.empty());
    cav1::OrderState state = submitted.status().state();
    for (int i = 0; i < 300 && state == cav1::ORDER_STATE_PENDING; ++i) {
      absl::SleepFor(absl::Milliseconds(100));
      grpc::ClientContext poll;
      poll.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      cav1::GetOrderStatusRequest request;
      request.set_ca_order_id(targets->ca_order_id);
      cav1::GetOrderStatusResponse response;
      ASSERT_TRUE(stub->GetOrderStatus(&poll, request, &response).ok());
      state = response.status().state();
    }
    ASSERT_NE(state, cav1::ORDER_STATE_PENDING) << "the sandbox did not decide its order";
  }

  static System* system_;
};

System* AuthzTest::system_ = nullptr;

// A server stream through a generic stub: opened with the serialized
// request; OK once its first message arrives (then cancelled), else the
// status it ended with.
grpc::Status OpenRawStream(grpc::GenericStub& stub, const std::string& method,
                           const std::string& bytes) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue queue;
  auto call = stub.PrepareCall(&context, "/" + method, &queue);
  // One operation at a time, each awaited.
  auto await = [&queue] {
    void* tag = nullptr;
    bool ok = false;
    queue.Next(&tag, &ok);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  await();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->WriteLast(request, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  await();
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  const bool got_message = await();
  if (got_message) {
    context.TryCancel();
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  await();
  queue.Shutdown();
  while (await()) {
  }
  return got_message ? grpc::Status::OK : status;
}

// A call with a serialized request through a generic stub: unary, or a
// server stream (OpenRawStream).
grpc::Status CallRaw(grpc::GenericStub& stub, const std::string& method, const std::string& bytes,
                     bool server_streaming = false) {
  if (server_streaming) {
    return OpenRawStream(stub, method, bytes);
  }
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

std::string Databases(System& system) {
  return WorkflowFingerprint(system.workflow_db()) + SandboxFingerprint(system.sandbox_db());
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
  Targets targets{draft->order_id(), active->order_id(), held->order_id(), "", ""};
  SubmitSandboxOrder(&targets);
  ASSERT_FALSE(HasFatalFailure());
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
      ASSERT_FALSE(method->client_streaming())
          << full_name << ": a client-streaming RPC; teach CallRaw to send a stream";
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
        CallRaw(stub_for(call), call.full_name, RequestFor(*call.method, targets, ++serial),
                call.method->server_streaming());
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

  // Admitted calls: each CA mutation must change the adapter's database
  // (at least its idempotency record), and the workflow's mutations its
  // database, or the check above could not have failed.
  const std::string workflow_before = WorkflowFingerprint(system_->workflow_db());
  int admitted = 0;
  for (const Call& call : calls) {
    if (!call.admitted) {
      continue;
    }
    ++admitted;
    const bool ca_mutation =
        call.method->service()->full_name() == kCa && IsMutation(call.full_name);
    const std::string sandbox_before = ca_mutation ? SandboxFingerprint(system_->sandbox_db()) : "";
    const grpc::Status status =
        CallRaw(stub_for(call), call.full_name, RequestFor(*call.method, targets, ++serial),
                call.method->server_streaming());
    SCOPED_TRACE(absl::StrCat(call.identity->label, " -> ", call.full_name, ": ",
                              status.error_code(), " ", status.error_message()));
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    if (call.method->service()->full_name() == kCa) {
      EXPECT_NE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << "the request is not one that would act";
    }
    // The sandbox finds what every lost submission created, so it has no
    // unknown outcome to resolve: refused by the adapter itself, unchanged.
    if (call.full_name == absl::StrCat(kCa, "/ResolveSubmission")) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    } else if (ca_mutation) {
      EXPECT_NE(SandboxFingerprint(system_->sandbox_db()), sandbox_before)
          << "an admitted CA mutation changed nothing: the refusals' check proves nothing";
    }
  }
  EXPECT_NE(WorkflowFingerprint(system_->workflow_db()), workflow_before)
      << "the admitted workflow mutations changed nothing";
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
