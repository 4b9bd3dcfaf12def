// The processing steps against the storage of testing/processor_backend.h
// (the in-memory fakes in the unit test, MariaDB in the integration test)
// with hand-written fakes of the CA adapter and prevalidation ports, so every answer and failure a
// peer can give is driven deterministically.
#include "workflow-service/src/app/processor.h"

#include <algorithm>
#include <deque>
#include <functional>

#include "common/metrics/metrics.h"
#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/testing/processor_backend.h"
#include "workflow-service/src/app/testing/test_orders.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::HasSubstr;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12],
   "max_additional_names": 5, "renewal_window_days": 90},
  {"id": "ov", "validation_type": "OV", "ca_adapter": "fake", "period_months": [12]},
  {"id": "lost", "validation_type": "DV", "ca_adapter": "nowhere", "period_months": [12]}]})";

// A CA whose answers the test scripts; it records every call and key.
class FakeCa final : public CaClient {
 public:
  std::deque<absl::StatusOr<CaAnswer>> answers;   // for mutating calls, in order
  std::deque<absl::StatusOr<CaAnswer>> statuses;  // for Status()
  std::vector<std::string> calls;                 // "submit:key", "status:ref", ...
  // Runs once inside the next Cancel(), before it answers: what happens
  // meanwhile elsewhere.
  std::function<void()> during_cancel;

  absl::StatusOr<CaAnswer> Next(const std::string& call) {
    calls.push_back(call);
    if (answers.empty()) {
      return absl::UnavailableError("fake CA: no answer scripted");
    }
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }
  absl::StatusOr<CaAnswer> Submit(const domain::Order&, const domain::Certificate&,
                                  const std::string& product_code,
                                  const std::string& key) override {
    return Next("submit:" + key);
  }
  absl::StatusOr<CaAnswer> Reissue(const domain::Certificate& previous, const domain::Certificate&,
                                   const std::string& key) override {
    return Next("reissue:" + previous.ca_reference + ":" + key);
  }
  absl::StatusOr<CaAnswer> Renew(const domain::Certificate& previous, const domain::Certificate&,
                                 const std::string& key) override {
    return Next("renew:" + previous.ca_reference + ":" + key);
  }
  absl::StatusOr<CaAnswer> Cancel(const std::string& ref, const std::string& submit_key,
                                  const std::string&, const std::string& key) override {
    if (during_cancel) {
      auto once = std::move(during_cancel);  // runs once
      during_cancel = nullptr;
      once();
    }
    return Next("cancel:" + ref + ":" + submit_key + ":" + key);
  }
  absl::StatusOr<CaAnswer> Revoke(const std::string& ref, const std::string& key) override {
    return Next("revoke:" + ref + ":" + key);
  }
  absl::StatusOr<CaAnswer> Status(const std::string& ref) override {
    calls.push_back("status:" + ref);
    if (statuses.empty()) {
      return absl::UnavailableError("fake CA: no status scripted");
    }
    auto answer = statuses.front();
    statuses.pop_front();
    return answer;
  }
};

class FakeRouter final : public CaRouter {
 public:
  explicit FakeRouter(CaClient* fake) : fake_(fake) {}
  CaClient* ForAdapter(const std::string& name) override {
    return name == "fake" ? fake_ : nullptr;
  }

 private:
  CaClient* fake_;
};

class FakePrevalidation final : public PrevalidationClient {
 public:
  std::deque<absl::StatusOr<PrevalidationAnswer>> answers;
  int calls = 0;
  absl::StatusOr<PrevalidationAnswer> Prevalidate(const domain::Order&,
                                                  const domain::Certificate&) override {
    ++calls;
    if (answers.empty()) {
      return absl::UnavailableError("fake prevalidation: down");
    }
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }
};

CaAnswer Pending(const std::string& ref) {
  CaAnswer answer;
  answer.state = CaState::kPending;
  answer.ca_reference = ref;
  answer.raw_status = "processing";
  return answer;
}

CaAnswer Issued(const std::string& ref, absl::Time from, absl::Time to) {
  CaAnswer answer = Pending(ref);
  answer.state = CaState::kIssued;
  answer.raw_status = "issued";
  answer.certificate = domain::IssuedCertificate{from, to, "LEAF", "CHAIN", "0abc"};
  return answer;
}

CaAnswer InState(const std::string& ref, CaState state, const std::string& raw) {
  CaAnswer answer = Pending(ref);
  answer.state = state;
  answer.raw_status = raw;
  return answer;
}

class ProcessorTest : public ::testing::Test {
 protected:
  ProcessorTest() : clock_(absl::FromUnixSeconds(1780000000)), router_(&ca_) {}

  void SetUp() override {
    ASSERT_TRUE(backend_->Open().ok());
    catalog_ = *ProductCatalog::Parse(kCatalog);
    app_ = std::make_unique<WorkflowApp>(backend_->repo(), catalog_, parser_, clock_,
                                         SlaOptions{absl::Minutes(15), absl::Hours(72)});
    ProcessingOptions options;
    options.owner = "test";
    processor_ = std::make_unique<Processor>(
        *app_, backend_->queue(), prevalidation_, router_, clock_, options, [] { return 0.5; },
        metrics_);
  }

  int64_t Create(const std::string& id, const std::string& product = "dv",
                 const std::string& cn = "www.example.com") {
    auto created = app_->CreateOrder(testing::TestOrderInput(id, product, cn),
                                     Caller{"test", "create-" + id, "CreateOrder", id});
    EXPECT_TRUE(created.ok()) << created.status();
    return created->order.id;
  }

  // Claims and delivers everything due now; returns how many rows.
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

  // The CA calls other than status checks, in order.
  std::vector<std::string> Sent() const {
    std::vector<std::string> sent;
    for (const std::string& call : ca_.calls) {
      if (call.rfind("status:", 0) != 0) {
        sent.push_back(call);
      }
    }
    return sent;
  }

  domain::Order Order(int64_t id) { return app_->GetOrder(id)->order; }
  std::vector<std::string> EventTypes(int64_t id) {
    std::vector<std::string> types;
    const auto record = app_->GetOrder(id);
    EXPECT_TRUE(record.ok()) << record.status();
    for (const auto& event : record->events) {
      types.push_back(event.event.type);
    }
    return types;
  }
  const domain::Certificate Cert(int64_t id, int index = 0) {
    return Order(id).certificates[index];
  }

  FakeClock clock_;
  prometheus::Registry metrics_;  // declared before processor_, which records into it
  FakeCa ca_;
  FakeRouter router_;
  FakePrevalidation prevalidation_;
  csr::OpenSslCsrParser parser_;
  std::unique_ptr<testing::ProcessorBackend> backend_ = testing::NewProcessorBackend();
  ProductCatalog catalog_;
  std::unique_ptr<WorkflowApp> app_;
  std::unique_ptr<Processor> processor_;
};

TEST_F(ProcessorTest, SubmissionAcceptedThenIssuedThroughTheStatusSync) {
  const int64_t id = Create("1");
  const int64_t cert = Cert(id).id;
  ca_.answers.push_back(Pending("CA-1"));
  ca_.statuses.push_back(Pending("CA-1"));  // the first check, right after the acceptance
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Sent().back(), "submit:wf-00000000000000a1-submit-" + std::to_string(cert) + "-1");
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(Cert(id).ca_reference, "CA-1");
  EXPECT_EQ(DeliverDue(), 0) << "the row is done";
  EXPECT_EQ(PollDue(), 0) << "the next check is scheduled later";
  clock_.Advance(absl::Seconds(2));
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 365)));
  EXPECT_EQ(PollDue(), 1);
  const domain::Certificate active = Cert(id);
  EXPECT_EQ(active.status, domain::CertificateStatus::kActive);
  EXPECT_EQ(active.certificate_pem, "LEAF");
  // This fixture's own registry: counts are this test's alone.
  EXPECT_EQ(metrics::Value(metrics_, "sslpanel_outbox_deliveries_total",
                           {{"kind", "SUBMIT_TO_CA"}, {"result", "recorded"}}),
            1);
  EXPECT_EQ(metrics::Value(metrics_, "sslpanel_ca_status_checks_total",
                           {{"adapter", "fake"}, {"result", "changed"}}),
            1);
  EXPECT_EQ(backend_->WatchedCertificates(), 0) << "an ACTIVE certificate is no longer watched";
}

TEST_F(ProcessorTest, CaThatIssuesAtOnceTakesTheOrderToActiveInOneStep) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 90)));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
  std::vector<std::string> types;
  for (const EventRecord& e : app_->GetOrder(id)->events) {
    types.push_back(e.event.type);
  }
  EXPECT_THAT(types, ::testing::ElementsAre("CREATED", "SUBMITTED", "CA_ACCEPTED", "CA_ISSUED"));
}

TEST_F(ProcessorTest, AnAcceptanceIsCheckedRightAfterItsSaveByTheDeliveryItself) {
  const int64_t id = Create("1");
  const int64_t cert = Cert(id).id;
  ca_.answers.push_back(Pending("CA-1"));
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 90)));
  EXPECT_EQ(DeliverDue(), 1);
  // The first status check (due at once after an acceptance) was made by
  // the delivery: no round through the status sync.
  EXPECT_THAT(ca_.calls, ::testing::ElementsAre(
                             "submit:wf-00000000000000a1-submit-" + std::to_string(cert) + "-1",
                             "status:CA-1"));
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
  // Two decisions, as through the status sync: the acceptance is saved
  // (its own order version) before the CA is asked again.
  const auto record = app_->GetOrder(id);
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->events.size(), 4u);
  EXPECT_EQ(record->events[2].event.type, "CA_ACCEPTED");
  EXPECT_EQ(record->events[3].event.type, "CA_ISSUED");
  EXPECT_EQ(record->order.version, 3) << "created, accepted, issued: a version each";
  EXPECT_EQ(backend_->WatchedCertificates(), 0);
  EXPECT_EQ(PollDue(), 0);
  EXPECT_EQ(DeliverDue(), 0) << "the row is done";
  EXPECT_EQ(metrics::Value(metrics_, "sslpanel_ca_status_checks_total",
                           {{"adapter", "fake"}, {"result", "changed"}}),
            1);
}

TEST_F(ProcessorTest, AnAcceptanceStillPendingAtItsFirstCheckIsCheckedNextOnTheUsualSchedule) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Pending("CA-1"));
  ca_.statuses.push_back(Pending("CA-1"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(ca_.calls.back(), "status:CA-1");
  EXPECT_EQ(PollDue(), 0) << "just checked: not again at once";
  clock_.Advance(absl::Seconds(1));  // poll_min
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 90)));
  EXPECT_EQ(PollDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
}

TEST_F(ProcessorTest, AFailedFirstCheckIsShownAndRetriedByTheStatusSync) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Pending("CA-1"));  // no status scripted: the check fails
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_THAT(Cert(id).last_error, HasSubstr("no status scripted"));
  EXPECT_EQ(PollDue(), 0) << "backing off";
  clock_.Advance(absl::Seconds(2));
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 90)));
  EXPECT_EQ(PollDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
}

TEST_F(ProcessorTest, AnAcceptanceWhoseDeliveryDiesBeforeItsCheckIsCheckedAfterTheLease) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Pending("CA-1"));
  // The save leases the first check to the delivery that made it; a
  // process that dies before the check leaves it to the status sync once
  // the lease has run out (the save alone, as the delivery left it).
  OutcomeExtras extras;
  extras.first_check_at = clock_.Now() + absl::Seconds(60);
  ASSERT_TRUE(app_->Record(id, Cert(id).id, {domain::command::CaAccepted{1, "CA-1", "processing"}},
                           "ca:fake", extras)
                  .ok());
  EXPECT_EQ(PollDue(), 0) << "leased to the delivery";
  clock_.Advance(absl::Seconds(61));
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 90)));
  EXPECT_EQ(PollDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
}

TEST_F(ProcessorTest, UnreachableCaIsRetriedWithBackoffAndTheErrorIsVisible) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::UnavailableError("connection refused"));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kOpen);
  EXPECT_EQ(Cert(id).hold, domain::HoldReason::kAwaitingCa);
  EXPECT_THAT(Cert(id).last_error, HasSubstr("connection refused"));
  EXPECT_EQ(DeliverDue(), 0) << "backing off";
  clock_.Advance(absl::Seconds(2));
  ca_.answers.push_back(Pending("CA-1"));
  ca_.statuses.push_back(Pending("CA-1"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(Cert(id).last_error, "");
  // Both attempts carried the same stored key: the CA sees one order.
  ASSERT_EQ(Sent().size(), 2u);
  EXPECT_EQ(Sent()[0], Sent()[1]);
}

TEST_F(ProcessorTest, RateLimitedCaIsAskedAgainAfterItsRetryAfter) {
  Create("1");
  absl::Status limited = absl::ResourceExhaustedError("rate limited");
  limited.SetPayload(kRetryAfterPayload, absl::Cord("30"));
  ca_.answers.push_back(limited);
  DeliverDue();
  clock_.Advance(absl::Seconds(29));
  EXPECT_EQ(DeliverDue(), 0);
  clock_.Advance(absl::Seconds(2));
  ca_.answers.push_back(Pending("CA-1"));
  EXPECT_EQ(DeliverDue(), 1);
}

TEST_F(ProcessorTest, DefiniteRefusalByTheAdapterRejectsWithItsReason) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::InvalidArgumentError("csr: key too small for this CA"));
  DeliverDue();
  const domain::Certificate cert = Cert(id);
  EXPECT_EQ(cert.status, domain::CertificateStatus::kRejected);
  EXPECT_THAT(cert.rejection_reason, HasSubstr("key too small"));
  EXPECT_EQ(Order(id).status, domain::OrderStatus::kClosed);
}

TEST_F(ProcessorTest, AMisconfiguredAdapterHoldsTheOrderInsteadOfRejectingIt) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::UnauthenticatedError("bad API key"));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kOpen);
  EXPECT_EQ(Cert(id).hold, domain::HoldReason::kAwaitingCa);
  EXPECT_THAT(Cert(id).last_error, HasSubstr("bad API key"));
}

TEST_F(ProcessorTest, ARefusalWhileSubmittingAlsoCancelsAnythingAnEarlierAttemptCreated) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::UnavailableError("timeout"));
  DeliverDue();  // the CA may have created the order before the timeout
  clock_.Advance(absl::Seconds(5));
  ca_.answers.push_back(absl::FailedPreconditionError("product withdrawn"));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRejected);
  EXPECT_EQ(backend_->OutboxRows("ABANDON_AT_CA", "PENDING"), 1);
}

TEST_F(ProcessorTest, AReissueOfAnOrderTheCaDoesNotKnowIsRejectedNotRetriedForever) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 60)));
  DeliverDue();
  ReissueInput reissue;
  reissue.csr = sslpanel::testing::MakeCsr("www.example.com");
  ASSERT_TRUE(app_->ReissueCertificate(id, reissue, Caller{"test", "r1", "Reissue", "r"}).ok());
  ca_.answers.push_back(absl::NotFoundError("ca_order_id: no order CA-1"));
  DeliverDue();
  EXPECT_EQ(Cert(id, 1).status, domain::CertificateStatus::kRejected);
  EXPECT_THAT(Cert(id, 1).rejection_reason, HasSubstr("no order CA-1"));
  EXPECT_EQ(Cert(id, 0).status, domain::CertificateStatus::kActive);
}

TEST_F(ProcessorTest, AnUnusableAnswerIsAskedAgainLaterAndShown) {
  const int64_t id = Create("1");
  CaAnswer broken = Issued("CA-1", clock_.Now(), clock_.Now());  // not_after == not_before
  ca_.answers.push_back(broken);
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kOpen);
  EXPECT_THAT(Cert(id).last_error, HasSubstr("unusable answer"));
  EXPECT_EQ(DeliverDue(), 0) << "backed off, not cycling";
  clock_.Advance(absl::Seconds(5));
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24)));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
}

TEST_F(ProcessorTest, ACertificateReplacedByAReissueIsWatchedUntilTheCaRevokesIt) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 300)));
  DeliverDue();
  ReissueInput reissue;
  reissue.csr = sslpanel::testing::MakeCsr("www.example.com");
  ASSERT_TRUE(app_->ReissueCertificate(id, reissue, Caller{"test", "r1", "Reissue", "r"}).ok());
  ca_.answers.push_back(Issued("CA-2", clock_.Now(), clock_.Now() + absl::Hours(24 * 300)));
  DeliverDue();
  ASSERT_EQ(Cert(id, 1).status, domain::CertificateStatus::kActive);
  EXPECT_EQ(PollDue(), 1) << "the replaced certificate is checked";
  EXPECT_EQ(ca_.calls.back(), "status:CA-1");
  clock_.Advance(absl::Minutes(11));
  ca_.statuses.push_back(InState("CA-1", CaState::kRevoked, "revoked"));
  PollDue();
  EXPECT_EQ(Cert(id, 0).status, domain::CertificateStatus::kRevoked);
  EXPECT_EQ(Cert(id, 1).status, domain::CertificateStatus::kActive);
  EXPECT_EQ(backend_->WatchedCertificates(), 0);
}

TEST_F(ProcessorTest, UnknownAdapterWaitsVisiblyInsteadOfCrashing) {
  const int64_t id = Create("1", "lost");
  DeliverDue();
  EXPECT_EQ(Cert(id).pending, domain::PendingOperation::kRequest);
  EXPECT_THAT(Cert(id).last_error, HasSubstr("no CA adapter named \"nowhere\""));
}

TEST_F(ProcessorTest, PrevalidationPassFailAndUnavailable) {
  const int64_t pass = Create("pass", "ov", "www.example.nl");
  const int64_t fail = Create("fail", "ov", "shop.example.nl");
  // Unavailable first: retried, never a FAIL.
  EXPECT_EQ(DeliverDue(), 2);
  EXPECT_EQ(Cert(pass).hold, domain::HoldReason::kPrevalidationRunning);
  EXPECT_THAT(Cert(pass).last_error, HasSubstr("down"));
  clock_.Advance(absl::Seconds(5));
  PrevalidationAnswer ok{domain::PrevalidationOutcome::kPass, "", "{\"overall\":\"OVERALL_PASS\"}",
                         clock_.Now()};
  PrevalidationAnswer bad{domain::PrevalidationOutcome::kFail, "KVK_NAME_MATCH: no match",
                          "{\"overall\":\"OVERALL_FAIL\"}", clock_.Now()};
  auto items = processor_->ClaimOutbox(10);
  ASSERT_EQ(items->size(), 2u);
  for (const OutboxItem& item : *items) {
    prevalidation_.answers.push_back(item.order_id == pass ? ok : bad);
    processor_->Deliver(item);
  }
  EXPECT_EQ(Cert(pass).hold, domain::HoldReason::kAwaitingCa);
  EXPECT_EQ(Cert(fail).hold, domain::HoldReason::kPrevalidationFailed);
  auto record = app_->GetOrder(fail);
  ASSERT_TRUE(record->prevalidation.has_value());
  EXPECT_EQ(record->prevalidation->outcome, domain::PrevalidationOutcome::kFail);
  EXPECT_EQ(record->events.back().event.reason, "KVK_NAME_MATCH: no match");
  EXPECT_EQ(backend_->OutboxRows("SUBMIT_TO_CA", ""), 1);
}

TEST_F(ProcessorTest, AnEditSupersedesARunningPrevalidation) {
  const int64_t id = Create("1", "ov", "www.example.nl");
  EditInput edit;
  edit.csr = sslpanel::testing::MakeCsr("www.example.nl");
  ASSERT_TRUE(app_->UpdateOrder(id, edit, Caller{"test", "edit-1", "UpdateOrder", "e"}).ok());
  prevalidation_.answers.push_back(
      PrevalidationAnswer{domain::PrevalidationOutcome::kPass, "", "{}", clock_.Now()});
  EXPECT_EQ(DeliverDue(), 2);  // the first submission's row and the new one
  EXPECT_EQ(prevalidation_.calls, 1) << "the superseded row is not delivered";
  EXPECT_EQ(backend_->OutboxRows("PREVALIDATE", "CANCELLED"), 1);
}

TEST_F(ProcessorTest, CancelFromRequestedConfirmedLaterByTheStatusSync) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Pending("CA-1"));
  DeliverDue();
  ASSERT_TRUE(app_->CancelCertificate(id, std::nullopt, "customer",
                                      Caller{"test", "cancel-1", "CancelCertificate", "c"})
                  .ok());
  ca_.answers.push_back(Pending("CA-1"));  // the CA takes its time
  DeliverDue();
  EXPECT_EQ(Cert(id).pending, domain::PendingOperation::kCancel);
  EXPECT_THAT(ca_.calls.back(), HasSubstr("cancel:CA-1::wf-00000000000000a1-cancel-"));
  ca_.statuses.push_back(InState("CA-1", CaState::kCancelled, "cancelled"));
  clock_.Advance(absl::Seconds(1));
  PollDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRejected);
  EXPECT_EQ(Order(id).status, domain::OrderStatus::kClosed);
}

TEST_F(ProcessorTest, RevokeConfirmedAtOnceAndACaRefusingToCancelClearsTheArrow) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 365)));
  DeliverDue();
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c1", "Cancel", "1"}).ok());
  ca_.answers.push_back(absl::FailedPreconditionError("revocation window closed"));
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 365)));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
  EXPECT_EQ(Cert(id).pending, domain::PendingOperation::kNone);
  EXPECT_EQ(EventTypes(id).back(), "CANCEL_REFUSED");
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c2", "Cancel", "2"}).ok());
  ca_.answers.push_back(InState("CA-1", CaState::kRevoked, "revoked"));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRevoked);
}

// The CA issues while the customer's cancel travels: its "issued, revoke
// instead" refusal must not drop the cancel (it used to: CANCEL_REFUSED,
// then ACTIVE with nothing pending).
TEST_F(ProcessorTest, ACancelTheCaRefusesBecauseItIssuedMeanwhileBecomesARevocation) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Pending("CA-1"));
  DeliverDue();
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c", "Cancel", "c"}).ok());
  ca_.answers.push_back(absl::FailedPreconditionError("issued; revoke instead of cancelling"));
  ca_.statuses.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 365)));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kActive);
  EXPECT_EQ(Cert(id).pending, domain::PendingOperation::kCancel) << "the cancel still stands";
  ca_.answers.push_back(InState("CA-1", CaState::kRevoked, "revoked"));
  DeliverDue();
  EXPECT_THAT(ca_.calls.back(), HasSubstr("revoke:CA-1:"));
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRevoked);
  EXPECT_THAT(EventTypes(id),
              ::testing::ElementsAre("CREATED", "SUBMITTED", "CA_ACCEPTED", "CANCEL_REQUESTED",
                                     "CA_ISSUED", "CA_REVOKE_CONFIRMED"));
}

// The other order of the same race: the status sync records the issuance
// while the cancel call is out; the refusal that comes back is stale.
TEST_F(ProcessorTest, ARefusalOvertakenByTheStatusSyncLeavesTheRevocationInCharge) {
  const int64_t id = Create("1");
  const int64_t cert = Cert(id).id;
  ca_.answers.push_back(Pending("CA-1"));
  DeliverDue();
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c", "Cancel", "c"}).ok());
  const CaAnswer issued = Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 365));
  ca_.during_cancel = [&] {
    ASSERT_TRUE(app_->Record(id, cert, {domain::command::CaIssued{*issued.certificate, "issued"}},
                             "ca:fake")
                    .ok());
  };
  ca_.answers.push_back(absl::FailedPreconditionError("issued; revoke instead of cancelling"));
  ca_.statuses.push_back(issued);
  DeliverDue();  // the cancel row: its refusal is not applied
  EXPECT_EQ(Cert(id).pending, domain::PendingOperation::kCancel);
  ca_.answers.push_back(InState("CA-1", CaState::kRevoked, "revoked"));
  DeliverDue();  // the revocation the issuance intended
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRevoked);
  EXPECT_EQ(backend_->OutboxRows("", "PENDING"), 0);
}

TEST_F(ProcessorTest, AnAbandonedSubmissionTheCaIssuedMeanwhileIsFoundAndRevoked) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::DeadlineExceededError("slow CA"));
  DeliverDue();  // the CA created the order after all
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c", "Cancel", "c"}).ok());
  ca_.answers.push_back(absl::FailedPreconditionError("issued; revoke instead of cancelling"));
  ca_.answers.push_back(Pending("CA-9"));  // the submission's replay names the order
  ca_.statuses.push_back(Issued("CA-9", clock_.Now(), clock_.Now() + absl::Hours(24 * 365)));
  ca_.answers.push_back(InState("CA-9", CaState::kRevoked, "revoked"));
  clock_.Advance(absl::Seconds(10));
  DeliverDue();
  EXPECT_THAT(ca_.calls, ::testing::Contains(::testing::StartsWith("submit:wf-")));
  EXPECT_THAT(ca_.calls.back(), ::testing::StartsWith("revoke:CA-9:wf-"));
  EXPECT_THAT(ca_.calls.back(), HasSubstr("-abandon-"));
  EXPECT_THAT(ca_.calls.back(), ::testing::EndsWith("-revoke"));
  EXPECT_EQ(backend_->OutboxRows("", "PENDING"), 0);
  EXPECT_THAT(backend_->OutboxLastError("ABANDON_AT_CA"), HasSubstr("revoked"));
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRejected);
}

TEST_F(ProcessorTest, AnAbandonedOrderWhoseCancellationIsNotConfirmedIsWatchedAndRevokedIfIssued) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::DeadlineExceededError("slow CA"));
  DeliverDue();
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c", "Cancel", "c"}).ok());
  ca_.answers.push_back(Pending("CA-7"));  // cancellation requested, not confirmed
  ca_.statuses.push_back(Pending("CA-7"));
  clock_.Advance(absl::Seconds(10));
  DeliverDue();
  EXPECT_EQ(backend_->OutboxRows("ABANDON_AT_CA", "PENDING"), 1)
      << "not done while the CA order may still issue";
  ca_.answers.push_back(Pending("CA-7"));  // the adapter replays its first answer
  ca_.statuses.push_back(Issued("CA-7", clock_.Now(), clock_.Now() + absl::Hours(24 * 365)));
  ca_.answers.push_back(InState("CA-7", CaState::kRevoked, "revoked"));
  clock_.Advance(absl::Minutes(10));
  DeliverDue();
  EXPECT_THAT(ca_.calls.back(), ::testing::StartsWith("revoke:CA-7:"));
  EXPECT_EQ(backend_->OutboxStatus("ABANDON_AT_CA"), "DONE");
}

TEST_F(ProcessorTest, ReissueAndRenewGoToTheCaWithThePredecessorsReference) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), clock_.Now() + absl::Hours(24 * 60)));
  DeliverDue();
  ReissueInput reissue;
  reissue.csr = sslpanel::testing::MakeCsr("www.example.com");
  ASSERT_TRUE(app_->ReissueCertificate(id, reissue, Caller{"test", "r1", "Reissue", "r"}).ok());
  ca_.answers.push_back(Issued("CA-2", clock_.Now(), clock_.Now() + absl::Hours(24 * 60)));
  DeliverDue();
  EXPECT_THAT(ca_.calls.back(), HasSubstr("reissue:CA-1:"));
  EXPECT_EQ(Cert(id, 1).status, domain::CertificateStatus::kActive);
  EXPECT_EQ(Cert(id, 0).status, domain::CertificateStatus::kActive);
  ASSERT_TRUE(app_->RenewOrder(id, "", 0, Caller{"test", "n1", "Renew", "n"}).ok());
  ca_.answers.push_back(absl::FailedPreconditionError("renewal refused: unpaid"));
  DeliverDue();
  EXPECT_THAT(ca_.calls.back(), HasSubstr("renew:CA-2:"));
  EXPECT_EQ(Cert(id, 2).status, domain::CertificateStatus::kRejected);
  EXPECT_EQ(Cert(id, 1).status, domain::CertificateStatus::kActive) << "predecessor restored";
}

TEST_F(ProcessorTest, CancellingAfterASubmissionWasAttemptedAbandonsItAtTheCa) {
  const int64_t id = Create("1");
  const int64_t cert = Cert(id).id;
  ca_.answers.push_back(absl::DeadlineExceededError("slow CA"));
  DeliverDue();  // the CA may or may not have created the order
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c", "Cancel", "c"}).ok());
  ca_.answers.push_back(InState("", CaState::kCancelled, "cancelled"));
  clock_.Advance(absl::Seconds(10));
  DeliverDue();
  EXPECT_THAT(ca_.calls.back(), HasSubstr(":wf-00000000000000a1-submit-" + std::to_string(cert) +
                                          "-1:wf-00000000000000a1-abandon-"));
  EXPECT_EQ(backend_->OutboxRows("", "PENDING"), 0);
}

TEST_F(ProcessorTest, ExpiryIsStampedWithTheExpirationDate) {
  const int64_t id = Create("1");
  const absl::Time expires = clock_.Now() + absl::Hours(1);
  ca_.answers.push_back(Issued("CA-1", clock_.Now(), expires));
  DeliverDue();
  EXPECT_EQ(processor_->ExpireCertificates(10), 0);
  clock_.Advance(absl::Hours(5));
  EXPECT_EQ(processor_->ExpireCertificates(10), 1);
  auto record = app_->GetOrder(id);
  EXPECT_EQ(record->order.certificates[0].status, domain::CertificateStatus::kExpired);
  EXPECT_EQ(record->events.back().event.at, expires);
  EXPECT_EQ(record->order.status, domain::OrderStatus::kClosed);
}

TEST_F(ProcessorTest, OrdersPastTheirSlaAreFlaggedOnceAndClearedWhenTheyMove) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::UnavailableError("down"));
  DeliverDue();
  EXPECT_EQ(processor_->FlagStuckOrders(10), 0);
  clock_.Advance(absl::Minutes(16));
  EXPECT_EQ(processor_->FlagStuckOrders(10), 1);
  EXPECT_EQ(processor_->FlagStuckOrders(10), 0) << "flagged once";
  ASSERT_TRUE(Order(id).stuck_since.has_value());
  EXPECT_EQ(*Order(id).stuck_since, absl::FromUnixSeconds(1780000000) + absl::Minutes(15));
  ListQuery stuck;
  stuck.stuck_only = true;
  EXPECT_EQ(backend_->repo().List(stuck)->orders.size(), 1u);
  ca_.answers.push_back(Pending("CA-1"));
  DeliverDue();
  EXPECT_FALSE(Order(id).stuck_since.has_value()) << "moving on clears the flag";
}

TEST_F(ProcessorTest, FinishedRowsAndOldRequestIdsArePurgedAfterTheirRetention) {
  Create("1");
  ca_.answers.push_back(Pending("CA-1"));
  DeliverDue();
  EXPECT_EQ(processor_->PurgeOld(100), 0) << "nothing is old yet";
  clock_.Advance(absl::Hours(24 * 8));
  EXPECT_EQ(processor_->PurgeOld(100), 1) << "the delivered outbox row";
  EXPECT_EQ(backend_->RequestIds(), 1) << "request ids live longer";
  clock_.Advance(absl::Hours(24 * 30));
  EXPECT_EQ(processor_->PurgeOld(100), 1);
  EXPECT_EQ(backend_->RequestIds(), 0);
  EXPECT_EQ(backend_->Orders(), 1) << "orders are never purged";
}

TEST_F(ProcessorTest, AnExpiredLeaseIsTakenOver) {
  Create("1");
  auto first = processor_->ClaimOutbox(10);
  ASSERT_EQ(first->size(), 1u);  // a replica claims and dies
  EXPECT_EQ(processor_->ClaimOutbox(10)->size(), 0u);
  clock_.Advance(absl::Seconds(61));
  auto again = processor_->ClaimOutbox(10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 2);
  EXPECT_EQ((*again)[0].idempotency_key, (*first)[0].idempotency_key);
}

// A second workflow database sharing the adapter used the key for another
// order: asking again can never succeed, so the certificate is held where
// everyone sees it, and a person releases it.
TEST_F(ProcessorTest, KeyUsedForAnotherRequestHoldsTheCertificateVisiblyWithoutRetrying) {
  const int64_t id = Create("1");
  const int64_t cert = Cert(id).id;
  ca_.answers.push_back(absl::AlreadyExistsError(
      "idempotency_key: \"wf-00000000000000a1-submit-1-1\" was already used for a different "
      "SubmitOrder request"));
  EXPECT_EQ(DeliverDue(), 1);
  domain::Certificate held = Cert(id);
  EXPECT_EQ(held.status, domain::CertificateStatus::kOpen);
  EXPECT_EQ(held.pending, domain::PendingOperation::kRequest);
  EXPECT_EQ(held.hold, domain::HoldReason::kCaKeyConflict);
  EXPECT_THAT(held.last_error, HasSubstr("already used for a different SubmitOrder request"));
  EXPECT_THAT(held.last_error, HasSubstr("--new_installation_id"));
  const OrderRecord record = *app_->GetOrder(id);
  EXPECT_EQ(record.events.back().event.type, "CA_KEY_CONFLICT");
  EXPECT_THAT(record.events.back().event.reason, HasSubstr("used for a different"));
  EXPECT_EQ(backend_->OutboxStatus("SUBMIT_TO_CA"), "DONE");

  // Never asked again, however long it waits; flagged stuck at once.
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(DeliverDue(), 0);
  EXPECT_EQ(ca_.calls.size(), 1u);
  EXPECT_EQ(processor_->FlagStuckOrders(10), 1);
  EXPECT_TRUE(Order(id).stuck_since.has_value());
  EXPECT_EQ(metrics::Value(metrics_, "sslpanel_ca_key_conflicts_total",
                           {{"adapter", "fake"}, {"kind", "SUBMIT_TO_CA"}}),
            1);

  // Released by submitting again: a new submission, so a new key.
  const std::vector<domain::Action> actions =
      domain::AllowedActions(record.order, 0, domain::ProductRules{}, clock_.Now());
  EXPECT_NE(std::find(actions.begin(), actions.end(), domain::Action::kSubmit), actions.end());
  ASSERT_TRUE(app_->SubmitOrder(id, Caller{"ops", "release-1", "SubmitOrder", "r"}).ok());
  ca_.answers.push_back(Pending("CA-2"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Sent().back(), "submit:wf-00000000000000a1-submit-" + std::to_string(cert) + "-2");
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(Cert(id).ca_reference, "CA-2");
  EXPECT_FALSE(Order(id).stuck_since.has_value()) << "moving on clears the stuck flag";
}

TEST_F(ProcessorTest, CancellingAKeyConflictHoldAbandonsNothingAtTheCa) {
  const int64_t id = Create("1");
  ca_.answers.push_back(absl::AlreadyExistsError("already used for a different request"));
  DeliverDue();
  ASSERT_EQ(Cert(id).hold, domain::HoldReason::kCaKeyConflict);
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c1", "Cancel", "1"}).ok());
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRejected);
  // The key belongs to another database's order: cancelling by it would
  // cancel that order.
  EXPECT_EQ(DeliverDue(), 0);
  EXPECT_EQ(ca_.calls.size(), 1u);
}

TEST_F(ProcessorTest, KeyConflictOnACancellationSendsItAgainUnderANewKey) {
  const int64_t id = Create("1");
  ca_.answers.push_back(Pending("CA-1"));
  DeliverDue();
  ASSERT_TRUE(
      app_->CancelCertificate(id, std::nullopt, "", Caller{"test", "c1", "Cancel", "1"}).ok());
  ca_.answers.push_back(absl::AlreadyExistsError("already used for a different request"));
  DeliverDue();
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRequested);
  EXPECT_EQ(Cert(id).pending, domain::PendingOperation::kCancel) << "the cancel still stands";
  const OrderRecord record = *app_->GetOrder(id);
  EXPECT_EQ(record.events.back().event.type, "CANCEL_RESENT");
  EXPECT_THAT(record.events.back().event.reason, HasSubstr("used for another request"));
  const std::string first_key = ca_.calls.back();
  ca_.answers.push_back(InState("CA-1", CaState::kCancelled, "cancelled"));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_THAT(ca_.calls.back(), HasSubstr("cancel:CA-1::wf-"));
  EXPECT_NE(ca_.calls.back(), first_key) << "a new key";
  EXPECT_EQ(Cert(id).status, domain::CertificateStatus::kRejected);
}

}  // namespace
}  // namespace sslpanel::workflow::app
