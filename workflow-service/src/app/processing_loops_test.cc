// The processing loops and the missing-prevalidation client, on the
// in-memory fakes (no MariaDB).
#include "workflow-service/src/app/processing_loops.h"

#include <atomic>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/testing/fake_order_store.h"
#include "workflow-service/src/app/testing/test_orders.h"
#include "workflow-service/src/app/unconfigured_prevalidation.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::HasSubstr;

constexpr char kCatalog[] = R"({"products": [
  {"id": "dv", "validation_type": "DV", "ca_adapter": "fake", "period_months": [12]},
  {"id": "ov", "validation_type": "OV", "ca_adapter": "fake", "period_months": [12]}]})";

// A CA that accepts every submission and counts them.
class AcceptingCa final : public CaClient {
 public:
  std::atomic<int> submits{0};
  absl::StatusOr<CaAnswer> Submit(const domain::Order&, const domain::Certificate&,
                                  const std::string&, const std::string&) override {
    ++submits;
    CaAnswer answer;
    answer.ca_reference = "CA-1";
    answer.raw_status = "processing";
    return answer;
  }
  absl::StatusOr<CaAnswer> Reissue(const domain::Certificate&, const domain::Certificate&,
                                   const std::string&) override {
    return absl::UnimplementedError("not in this test");
  }
  absl::StatusOr<CaAnswer> Renew(const domain::Certificate&, const domain::Certificate&,
                                 const std::string&) override {
    return absl::UnimplementedError("not in this test");
  }
  absl::StatusOr<CaAnswer> Cancel(const std::string&, const std::string&, const std::string&,
                                  const std::string&) override {
    return absl::UnimplementedError("not in this test");
  }
  absl::StatusOr<CaAnswer> Revoke(const std::string&, const std::string&) override {
    return absl::UnimplementedError("not in this test");
  }
  absl::StatusOr<CaAnswer> Status(const std::string&) override {
    return absl::UnavailableError("not in this test");
  }
};

class OneCa final : public CaRouter {
 public:
  explicit OneCa(CaClient* ca) : ca_(ca) {}
  CaClient* ForAdapter(const std::string& name) override { return name == "fake" ? ca_ : nullptr; }

 private:
  CaClient* ca_;
};

class ProcessingLoopsTest : public ::testing::Test {
 protected:
  ProcessingLoopsTest()
      : clock_(absl::FromUnixSeconds(1780000000)),
        router_(&ca_),
        catalog_(*ProductCatalog::Parse(kCatalog)),
        app_(repo_, catalog_, parser_, clock_),
        processor_(
            app_, queue_, prevalidation_, router_, clock_, ProcessingOptions{}, [] { return 0.5; },
            metrics_) {}

  int64_t Create(const std::string& id, const std::string& product, const std::string& cn) {
    auto created = app_.CreateOrder(testing::TestOrderInput(id, product, cn),
                                    Caller{"test", "create-" + id, "CreateOrder", id});
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->order.id : 0;
  }

  FakeClock clock_;
  prometheus::Registry metrics_;
  AcceptingCa ca_;
  OneCa router_;
  UnconfiguredPrevalidation prevalidation_;
  csr::OpenSslCsrParser parser_;
  testing::FakeOrderRepository repo_;
  testing::FakeWorkQueue queue_{repo_};
  ProductCatalog catalog_;
  WorkflowApp app_;
  Processor processor_;
};

TEST_F(ProcessingLoopsTest, WithoutAPrevalidationServiceAnOvOrderWaitsSayingWhy) {
  const int64_t id = Create("ov-1", "ov", "www.example.nl");  // a Dutch OV order is prevalidated
  auto items = processor_.ClaimOutbox(10);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].kind, domain::IntentKind::kPrevalidate);
  processor_.Deliver((*items)[0]);
  const auto rows = repo_.OutboxRows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "PENDING") << "retried, not failed: configuring a service unblocks it";
  ASSERT_TRUE(rows[0].last_error.has_value());
  EXPECT_THAT(*rows[0].last_error, HasSubstr("no prevalidation service is configured"));
  EXPECT_GT(rows[0].due_at, clock_.Now()) << "backed off";
  EXPECT_EQ(ca_.submits, 0);
  EXPECT_EQ(repo_.Get(id)->order.certificates[0].status, domain::CertificateStatus::kOpen);
}

TEST_F(ProcessingLoopsTest, TheLoopsDeliverWhatASaveNudgesThemToAndStopCleanly) {
  ProcessingLoops loops(processor_, LoopOptions{2, 1, absl::Seconds(30), absl::Seconds(30)});
  loops.Start(app_);
  const int64_t id =
      Create("dv-1", "dv", "www.example.com");  // the save's intents wake the outbox loop
  for (int i = 0; i < 500 && repo_.Get(id)->order.certificates[0].ca_reference.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(repo_.Get(id)->order.certificates[0].ca_reference, "CA-1")
      << "delivered without waiting out the 30 s idle wait";
  EXPECT_EQ(ca_.submits, 1);
  loops.RequestStop();
  loops.Stop();
}

}  // namespace
}  // namespace sslpanel::workflow::app
