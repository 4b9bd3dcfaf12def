#include "common/metrics/metrics.h"

#include "common/http/http.h"
#include "common/metrics/metrics_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace sslpanel::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

TEST(Metrics, ValueReadsOneSeriesOfARegistry) {
  prometheus::Registry registry;
  auto& calls = prometheus::BuildCounter().Name("t_calls_total").Help("Calls.").Register(registry);
  calls.Add({{"method", "Get"}, {"code", "OK"}}).Increment(2);
  prometheus::BuildGauge().Name("t_backlog").Help("Rows.").Register(registry).Add({}).Set(7);
  EXPECT_THAT(Value(registry, "t_calls_total", {{"method", "Get"}, {"code", "OK"}}), Optional(2.0));
  EXPECT_THAT(Value(registry, "t_backlog", {}), Optional(7.0));
  EXPECT_EQ(Value(registry, "t_calls_total", {{"method", "Get"}}), std::nullopt);
  EXPECT_EQ(Value(registry, "t_other_total", {}), std::nullopt);
}

TEST(Metrics, RegistriesAreIndependent) {
  // What used to be one process-wide registry: a second one starts at zero.
  prometheus::Registry first;
  prometheus::Registry second;
  prometheus::BuildCounter().Name("t_total").Help("x").Register(first).Add({}).Increment();
  prometheus::BuildCounter().Name("t_total").Help("x").Register(second).Add({});
  EXPECT_THAT(Value(first, "t_total", {}), Optional(1.0));
  EXPECT_THAT(Value(second, "t_total", {}), Optional(0.0));
}

TEST(MetricsServer, ServesItsRegistryAtMetricsOnly) {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter()
      .Name("t_served_total")
      .Help("x")
      .Register(*registry)
      .Add({{"reason", "a \"quoted\" \\ value"}})
      .Increment();
  auto server = StartMetricsServer("127.0.0.1:0", registry);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE(*server, nullptr);
  ASSERT_GT((*server)->port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string((*server)->port());
  auto client = http::NewCurlClient({});
  http::Request request;
  request.url = base + "/metrics";
  auto response = client->Do(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->body, HasSubstr("# TYPE t_served_total counter\n"));
  EXPECT_THAT(response->body,
              HasSubstr("t_served_total{reason=\"a \\\"quoted\\\" \\\\ value\"} 1\n"));
  request.url = base + "/other";
  response = client->Do(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404);
  EXPECT_THAT(response->body, Not(HasSubstr("t_served_total")));
}

TEST(MetricsServer, RefusesABadAddressAndIsOffWithoutOne) {
  auto registry = std::make_shared<prometheus::Registry>();
  EXPECT_EQ(StartMetricsServer("nonsense", registry).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto off = StartMetricsServer("", registry);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, nullptr);
}

}  // namespace
}  // namespace sslpanel::metrics
