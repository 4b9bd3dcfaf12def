// Each server's /metrics (--metrics_listen), read by the Prometheus client's
// own parser (check_metrics.py, Debian python3-prometheus-client) after an
// order went through the whole system: the sslpanel_* families, with the
// types, help texts and labels of testdata/metrics_series.json, and the
// calls that were made counted under the right labels.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

constexpr char kWorkflow[] = "sslpanel.workflow.v1.WorkflowService";
constexpr char kCa[] = "sslpanel.ca.v1.CaAdapterService";
constexpr char kPrevalidation[] = "sslpanel.prevalidation.v1.PrevalidationService";

std::string Rpc(const std::string& service, const std::string& method, const std::string& code) {
  return absl::StrCat(R"({"service":")", service, R"(","method":")", method, R"(","code":")", code,
                      R"("})");
}

// Scrapes 127.0.0.1:`port`/metrics and checks it as server `server` of the
// spec, with `samples` as (name, labels as JSON, minimum value) triples.
void ExpectSeries(const std::string& server, int port,
                  const std::vector<std::vector<std::string>>& samples) {
  const std::string file = absl::StrCat(::testing::TempDir(), "/metrics-", server, ".txt");
  CommandResult scraped = RunCommand({"/usr/bin/curl", "-sS", "--fail", "-o", file,
                                      absl::StrCat("http://127.0.0.1:", port, "/metrics")});
  ASSERT_EQ(scraped.exit_code, 0) << server << ": " << scraped.output;
  std::vector<std::string> check = {
      "/usr/bin/python3", std::string(SSLPANEL_SOURCE_DIR) + "/integration-tests/check_metrics.py",
      std::string(SSLPANEL_SOURCE_DIR) + "/integration-tests/testdata/metrics_series.json", server,
      file};
  for (const auto& sample : samples) {
    check.insert(check.end(), {"--sample", sample[0], sample[1], sample[2]});
  }
  CommandResult checked = RunCommand(check);
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
}

TEST(Metrics, EveryServerExposesItsSeriesToAPrometheusParser) {
  auto workflow_port = testing::PickFreePort();
  auto prevalidation_port = testing::PickFreePort();
  auto sandbox_port = testing::PickFreePort();
  ASSERT_TRUE(workflow_port.ok() && prevalidation_port.ok() && sandbox_port.ok());
  ASSERT_NE(*workflow_port, *prevalidation_port);
  ASSERT_NE(*sandbox_port, *prevalidation_port);
  SystemOptions options;
  options.workflow_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", *workflow_port)};
  options.prevalidation_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", *prevalidation_port)};
  options.sandbox_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", *sandbox_port)};
  auto system = System::Start(options);
  ASSERT_TRUE(system.ok()) << system.status();

  // A DV order goes straight to the CA; an OV order is prevalidated first.
  for (const v1::CreateOrderRequest& request : {DvOrder("metrics-dv", "www.metrics.example.com"),
                                                DutchOvOrder("metrics-ov", "Test BV Donald")}) {
    auto created = Create((*system)->workflow(), request);
    ASSERT_TRUE(created.ok()) << created.status();
    auto active = (*system)->WaitFor(
        created->order_id(),
        [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
        "ACTIVE");
    ASSERT_TRUE(active.ok()) << active.status();
  }
  // A refused call, so a code other than OK is counted too.
  EXPECT_FALSE(Create((*system)->workflow(), v1::CreateOrderRequest()).ok());

  ExpectSeries(
      "workflow", *workflow_port,
      {{"sslpanel_grpc_server_handled_total", Rpc(kWorkflow, "CreateOrder", "OK"), "2"},
       {"sslpanel_grpc_server_handled_total", Rpc(kWorkflow, "CreateOrder", "INVALID_ARGUMENT"),
        "1"},
       {"sslpanel_grpc_server_handling_seconds_count",
        R"({"service":")" + std::string(kWorkflow) + R"(","method":"CreateOrder"})", "3"},
       {"sslpanel_outbox_deliveries_total", R"({"kind":"SUBMIT_TO_CA","result":"recorded"})", "2"},
       {"sslpanel_outbox_deliveries_total", R"({"kind":"PREVALIDATE","result":"recorded"})", "1"}});
  ExpectSeries(
      "prevalidation", *prevalidation_port,
      {{"sslpanel_grpc_server_handled_total", Rpc(kPrevalidation, "Prevalidate", "OK"), "1"},
       {"sslpanel_grpc_server_handled_total", Rpc("grpc.health.v1.Health", "Check", "OK"), "1"}});
  ExpectSeries("sandbox", *sandbox_port,
               {{"sslpanel_grpc_server_handled_total", Rpc(kCa, "SubmitOrder", "OK"), "2"},
                {"sslpanel_ca_idempotency_purged_total", "{}", "0"}});
}

}  // namespace
}  // namespace sslpanel::integration
