// The DCV operations, the holds a submission's answer can carry and the
// adapter's polling bounds, through the use cases and the processing steps
// against real storage (MariaDB), with a scripted CA adapter.
#include <deque>

#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/processor.h"
#include "workflow-service/src/app/testing/processor_backend.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12],
   "max_additional_names": 5, "renewal_window_days": 90}]})";

class ScriptedCa final : public CaClient {
 public:
  std::deque<absl::StatusOr<CaAnswer>> answers;  // mutating calls, in order
  std::deque<absl::StatusOr<CaAnswer>> statuses;
  std::vector<std::string> calls;
  CaCapabilities capabilities;
  std::vector<std::string> approvers = {"admin@example.com", "webmaster@example.com"};

  absl::StatusOr<CaAnswer> Next(const std::string& call) {
    calls.push_back(call);
    if (answers.empty()) {
      return absl::UnavailableError("scripted CA: no answer");
    }
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }
  absl::StatusOr<CaAnswer> Submit(const domain::Order&, const domain::Certificate&,
                                  const std::string&, const std::string& key) override {
    return Next("submit:" + key);
  }
  absl::StatusOr<CaAnswer> Reissue(const domain::Certificate&, const domain::Certificate&,
                                   const std::string& key) override {
    return Next("reissue:" + key);
  }
  absl::StatusOr<CaAnswer> Renew(const domain::Certificate&, const domain::Certificate&,
                                 const std::string& key) override {
    return Next("renew:" + key);
  }
  absl::StatusOr<CaAnswer> Cancel(const std::string& ref, const std::string&, const std::string&,
                                  const std::string& key) override {
    return Next("cancel:" + ref + ":" + key);
  }
  absl::StatusOr<CaAnswer> Revoke(const std::string& ref, const std::string& key) override {
    return Next("revoke:" + ref + ":" + key);
  }
  absl::StatusOr<CaAnswer> Status(const std::string& ref) override {
    calls.push_back("status:" + ref);
    if (statuses.empty()) {
      return absl::UnavailableError("scripted CA: no status");
    }
    auto answer = statuses.front();
    statuses.pop_front();
    return answer;
  }
  absl::StatusOr<CaCapabilities> Capabilities() override { return capabilities; }
  absl::StatusOr<std::vector<std::string>> ListApproverEmails(const std::string& host) override {
    calls.push_back("approvers:" + host);
    return approvers;
  }
  absl::StatusOr<CaAnswer> ChangeDcv(const std::string& ref,
                                     const std::vector<domain::DomainValidation>& changes,
                                     const std::string& key) override {
    return Next("dcv:" + ref + ":" + domain::DescribeDcv(changes) + ":" + key);
  }
  absl::StatusOr<CaAnswer> ResendDcvEmail(const std::string& ref, const std::string& host,
                                          const std::string& key) override {
    return Next("mail:" + ref + ":" + host + ":" + key);
  }
  absl::StatusOr<CaAnswer> ResolveSubmission(const std::string& submit_key,
                                             const domain::IntentDetail& detail) override {
    return Next("resolve:" + submit_key + ":" +
                (detail.resubmit ? "resubmit" : "attach " + detail.attach_ca_reference) + ":" +
                detail.actor);
  }
};

class Router final : public CaRouter {
 public:
  explicit Router(CaClient* ca) : ca_(ca) {}
  CaClient* ForAdapter(const std::string& name) override { return name == "fake" ? ca_ : nullptr; }

 private:
  CaClient* ca_;
};

class NoPrevalidation final : public PrevalidationClient {
 public:
  absl::StatusOr<PrevalidationAnswer> Prevalidate(const domain::Order&,
                                                  const domain::Certificate&) override {
    return absl::UnavailableError("not used");
  }
};

CaAnswer Pending(const std::string& ref, domain::DcvMethod method = domain::DcvMethod::kDns,
                 const std::string& approver = "") {
  CaAnswer answer;
  answer.state = CaState::kPending;
  answer.ca_reference = ref;
  answer.raw_status = "awaiting-validation";
  domain::DcvInstruction instruction;
  instruction.host_name = "www.example.com";
  instruction.method = method;
  instruction.approver_email = approver;
  instruction.status = "pending";
  answer.dcv_instructions = {instruction};
  return answer;
}

absl::Status WithPayload(const char* key, const std::string& reason) {
  absl::Status status = absl::UnavailableError(reason);
  status.SetPayload(key, absl::Cord(reason));
  return status;
}

class DcvProcessorTest : public ::testing::Test {
 protected:
  DcvProcessorTest() : clock_(absl::FromUnixSeconds(1780000000)), router_(&ca_) {}

  void SetUp() override {
    ASSERT_TRUE(backend_->Open().ok());
    catalog_ = *ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<WorkflowApp>(backend_->repo(), catalog_, parser_, clock_, SlaOptions{});
    ProcessingOptions options;
    options.owner = "test";
    options.retry_max = absl::Minutes(5);
    processor_ = std::make_unique<Processor>(
        *app_, backend_->queue(), prevalidation_, router_, clock_, options, [] { return 0.5; },
        metrics_);
    app_->set_ca_access(&router_, &processor_->capabilities());
    ca_.capabilities.supports_change_dcv_method = true;
    ca_.capabilities.supports_resend_dcv_email = true;
    ca_.capabilities.supports_list_approver_emails = true;
  }

  int64_t Create(const std::string& id) {
    NewOrderInput input;
    input.external_order_id = id;
    input.product_id = "dv";
    input.period_months = 12;
    input.common_name = "www.example.com";
    input.csr = sslpanel::testing::MakeCsr("www.example.com");
    input.dcv_method = domain::DcvMethod::kDns;
    auto created = app_->CreateOrder(input, Caller{"test", "create-" + id, "CreateOrder", id});
    EXPECT_TRUE(created.ok()) << created.status();
    return created->order.id;
  }

  // An order REQUESTED at the CA as CA-1.
  int64_t Requested(const std::string& id) {
    const int64_t order = Create(id);
    ca_.answers.push_back(Pending("CA-1"));
    EXPECT_EQ(DeliverDue(), 1);
    EXPECT_EQ(Cert(order).status, domain::CertificateStatus::kRequested);
    return order;
  }

  int DeliverDue() {
    auto items = processor_->ClaimOutbox(100);
    EXPECT_TRUE(items.ok()) << items.status();
    for (const OutboxItem& item : *items) {
      processor_->Deliver(item);
    }
    return static_cast<int>(items->size());
  }
  int PollDue() {
    auto items = processor_->ClaimPolls(100);
    EXPECT_TRUE(items.ok());
    for (const PollItem& item : *items) {
      processor_->Poll(item);
    }
    return static_cast<int>(items->size());
  }

  domain::Certificate Cert(int64_t id) { return app_->GetOrder(id)->order.certificates[0]; }
  std::vector<std::string> EventTypes(int64_t id) {
    std::vector<std::string> types;
    const auto record = app_->GetOrder(id);  // kept: the loop reads into it
    for (const auto& event : record->events) {
      types.push_back(event.event.type);
    }
    return types;
  }
  Caller As(const std::string& actor, const std::string& request_id, const std::string& method) {
    return Caller{actor, request_id, method, request_id + "-fingerprint"};
  }

  FakeClock clock_;
  prometheus::Registry metrics_;
  ScriptedCa ca_;
  Router router_;
  NoPrevalidation prevalidation_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::ProcessorBackend> backend_ = testing::NewProcessorBackend();
  ProductCatalog catalog_;
  std::unique_ptr<WorkflowApp> app_;
  std::unique_ptr<Processor> processor_;
};

TEST_F(DcvProcessorTest, AChangeIsCheckedRecordedDeliveredUnderItsKeyAndAnswered) {
  const int64_t id = Requested("1");
  const std::vector<domain::DomainValidation> wrong = {
      {"www.example.com", domain::DcvMethod::kEmail, "ceo@example.com"}};
  auto refused = app_->ChangeDcvMethod(id, std::nullopt, wrong,
                                       As("customer", "dcv-wrong", "ChangeDcvMethod"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("ceo@example.com"));

  const std::vector<domain::DomainValidation> email = {
      {"www.example.com", domain::DcvMethod::kEmail, "admin@example.com"}};
  auto changed =
      app_->ChangeDcvMethod(id, std::nullopt, email, As("customer", "dcv-1", "ChangeDcvMethod"));
  ASSERT_TRUE(changed.ok()) << changed.status();
  auto again =
      app_->ChangeDcvMethod(id, std::nullopt, email, As("customer", "dcv-1", "ChangeDcvMethod"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->order.version, changed->order.version) << "a replay decides nothing";

  ca_.answers.push_back(Pending("CA-1", domain::DcvMethod::kEmail, "admin@example.com"));
  EXPECT_EQ(DeliverDue(), 1);
  ASSERT_FALSE(ca_.calls.empty());
  EXPECT_THAT(ca_.calls.back(), HasSubstr("dcv:CA-1:www.example.com: EMAIL admin@example.com:"));
  EXPECT_THAT(ca_.calls.back(), HasSubstr("wf-00000000000000a1-dcv-"));
  EXPECT_EQ(Cert(id).dcv_instructions.at(0).method, domain::DcvMethod::kEmail);
  EXPECT_THAT(EventTypes(id), Contains("DCV_CHANGED"));
  EXPECT_EQ(DeliverDue(), 0) << "the row is done";

  // The e-mail again; the CA refuses it: recorded, not retried.
  auto resend =
      app_->ResendDcvEmail(id, std::nullopt, "", As("customer", "mail-1", "ResendDcvEmail"));
  ASSERT_TRUE(resend.ok()) << resend.status();
  ca_.answers.push_back(absl::FailedPreconditionError("order CA-1 is issued"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_THAT(ca_.calls.back(), HasSubstr("mail:CA-1::wf-00000000000000a1-dcvmail-"));
  const std::vector<std::string> types = EventTypes(id);
  EXPECT_THAT(types, Contains("DCV_EMAIL_RESEND_REQUESTED"));
  EXPECT_THAT(types, Contains("DCV_EMAIL_RESEND_FAILED"));
  EXPECT_EQ(DeliverDue(), 0);
}

TEST_F(DcvProcessorTest, AnAdapterWithoutTheCapabilityIsNamed) {
  const int64_t id = Requested("2");
  ca_.capabilities.supports_change_dcv_method = false;
  // A fresh cache: the capabilities are asked again.
  CapabilityCache fresh(router_, clock_);
  app_->set_ca_access(&router_, &fresh);
  auto refused =
      app_->ChangeDcvMethod(id, std::nullopt, {{"www.example.com", domain::DcvMethod::kHttp, ""}},
                            As("customer", "dcv-2", "ChangeDcvMethod"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("supports_change_dcv_method"));
}

TEST_F(DcvProcessorTest, AnUnknownOutcomeHoldsRetriesSlowlyAndAResolutionSettlesIt) {
  const int64_t id = Create("3");
  const std::string key = "wf-00000000000000a1-submit-" + std::to_string(Cert(id).id) + "-1";
  ca_.answers.push_back(
      WithPayload(kOutcomeUnknownPayload, "answer lost; the CA cannot be searched"));
  EXPECT_EQ(DeliverDue(), 1);
  domain::Certificate held = Cert(id);
  EXPECT_EQ(held.hold, domain::HoldReason::kCaOutcomeUnknown);
  EXPECT_THAT(held.last_error, HasSubstr("answer lost"));
  EXPECT_THAT(EventTypes(id), Contains("CA_OUTCOME_UNKNOWN"));

  // Not sent again at once; the same key later, with nothing new recorded.
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(DeliverDue(), 0);
  clock_.Advance(absl::Minutes(5));
  ca_.answers.push_back(
      WithPayload(kOutcomeUnknownPayload, "answer lost; the CA cannot be searched"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(ca_.calls.back(), "submit:" + key);
  int unknown = 0;
  for (const std::string& type : EventTypes(id)) {
    unknown += type == "CA_OUTCOME_UNKNOWN";
  }
  EXPECT_EQ(unknown, 1);

  ResolutionInput input;
  input.attach_ca_reference = "CA-77";
  input.reason = "found in the CA portal";
  auto anonymous = app_->ResolveCaSubmission(id, input, As("api", "resolve-0", "Resolve"));
  EXPECT_EQ(anonymous.status().code(), absl::StatusCode::kInvalidArgument);
  auto resolved =
      app_->ResolveCaSubmission(id, input, As("operator:alice", "resolve-1", "Resolve"));
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ca_.answers.push_back(CaAnswer{});        // the resolution
  ca_.answers.push_back(Pending("CA-77"));  // the submission's replay
  EXPECT_EQ(DeliverDue(), 1);
  ASSERT_GE(ca_.calls.size(), 2u);
  EXPECT_EQ(ca_.calls[ca_.calls.size() - 2], "resolve:" + key + ":attach CA-77:operator:alice");
  EXPECT_EQ(ca_.calls.back(), "submit:" + key);
  const domain::Certificate settled = Cert(id);
  EXPECT_EQ(settled.status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(settled.hold, domain::HoldReason::kNone);
  EXPECT_EQ(settled.ca_reference, "CA-77");
  const auto record = app_->GetOrder(id);
  bool operator_recorded = false;
  for (const auto& event : record->events) {
    operator_recorded |=
        event.event.type == "CA_RESOLUTION_REQUESTED" && event.event.actor == "operator:alice";
  }
  EXPECT_TRUE(operator_recorded);
  // The held submission's own row is superseded now.
  clock_.Advance(absl::Minutes(10));
  const size_t before = ca_.calls.size();
  DeliverDue();
  EXPECT_EQ(ca_.calls.size(), before) << "nothing is sent again";
}

TEST_F(DcvProcessorTest, AnAccountProblemHoldsVisiblyAndClearsWhenTheCaAccepts) {
  const int64_t id = Create("4");
  ca_.answers.push_back(WithPayload(kAccountProblemPayload, "no credit left on the account"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Cert(id).hold, domain::HoldReason::kCaAccount);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kOpen) << "never a refusal";
  EXPECT_THAT(Cert(id).last_error, HasSubstr("no credit"));
  clock_.Advance(absl::Minutes(10));
  ca_.answers.push_back(Pending("CA-5"));
  ca_.statuses.push_back(Pending("CA-5"));  // the first check, right after the acceptance
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(Cert(id).hold, domain::HoldReason::kNone);
  EXPECT_EQ(Cert(id).last_error, "");
}

TEST_F(DcvProcessorTest, StatusChecksHonourTheAdaptersMinimumInterval) {
  ca_.capabilities.min_poll_interval = absl::Minutes(30);
  const int64_t id = Requested("5");
  (void)id;
  // Not even right after the acceptance.
  clock_.Advance(absl::Minutes(1));
  PollDue();
  EXPECT_THAT(ca_.calls, ::testing::Not(Contains("status:CA-1")));
  ca_.statuses.push_back(Pending("CA-1"));
  clock_.Advance(absl::Minutes(31));
  ASSERT_EQ(PollDue(), 1);
  ca_.statuses.push_back(Pending("CA-1"));
  clock_.Advance(absl::Minutes(20));
  EXPECT_EQ(PollDue(), 0) << "polled before the adapter's 30-minute minimum";
  clock_.Advance(absl::Minutes(11));
  EXPECT_EQ(PollDue(), 1);
}

}  // namespace
}  // namespace sslpanel::workflow::app
