#include "common/metrics/metrics.h"

#include "common/http/http.h"
#include "common/metrics/metrics_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::metrics {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, RendersTheTextExpositionFormat) {
  Registry registry;
  registry.Counter("t_calls_total", "Calls.", {"method", "code"}).Add({"Get", "OK"}, 2);
  registry.Gauge("t_backlog", "Rows.", {}).Set({}, 7);
  auto& latency = registry.Histogram("t_seconds", "Latency.", {"method"}, {0.1, 1});
  latency.Observe({"Get"}, 0.05);
  latency.Observe({"Get"}, 0.5);
  latency.Observe({"Get"}, 5);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE t_calls_total counter\n"));
  EXPECT_THAT(text, HasSubstr("t_calls_total{method=\"Get\",code=\"OK\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("t_backlog 7\n"));
  EXPECT_THAT(text, HasSubstr("t_seconds_bucket{method=\"Get\",le=\"0.10000000000000001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("t_seconds_bucket{method=\"Get\",le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("t_seconds_bucket{method=\"Get\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("t_seconds_count{method=\"Get\"} 3\n"));
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry registry;
  registry.Counter("t_total", "x", {"reason"}).Add({"a \"quoted\" \\ value"});
  EXPECT_THAT(registry.Render(), HasSubstr("reason=\"a \\\"quoted\\\" \\\\ value\""));
}

TEST(MetricsServer, ServesTheDefaultRegistry) {
  Registry::Default().Counter("t_served_total", "x", {}).Add({});
  auto server = StartMetricsServer("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  http::Request request;
  request.url = (*server)->base_url() + "/metrics";
  auto response = http::NewCurlClient({})->Do(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->body, HasSubstr("t_served_total 1"));
  EXPECT_FALSE(StartMetricsServer("nonsense").ok());
  EXPECT_EQ(StartMetricsServer("")->get(), nullptr);
}

}  // namespace
}  // namespace sslpanel::metrics
