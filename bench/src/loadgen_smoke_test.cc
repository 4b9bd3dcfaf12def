// Smoke test of the load generator: it runs, measures and reports sanely.
// Timings are not asserted (they belong to scripts/bench, not to tests).
#include <fstream>

#include "absl/strings/str_cat.h"
#include "bench/src/echo_server.h"
#include "bench/src/load.h"
#include "bench/src/report.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sslpanel/bench/v1/echo.pb.h"

namespace sslpanel::bench {
namespace {

using ::testing::HasSubstr;

grpc::ByteBuffer EchoBytes() {
  v1::EchoRequest request;
  request.set_payload("hello");
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

void ExpectSaneLatency(const LatencyStats& l) {
  EXPECT_GT(l.count, 0);
  EXPECT_GT(l.p50_us, 0);
  EXPECT_LE(l.p50_us, l.p90_us);
  EXPECT_LE(l.p90_us, l.p99_us);
  EXPECT_LE(l.p99_us, l.max_us);
  EXPECT_GT(l.mean_us, 0);
}

class LoadgenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = EchoServer::Start("127.0.0.1:0");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<EchoServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(LoadgenTest, ClosedLoopReportsThroughputAndLatency) {
  LoadOptions options;
  options.name = "echo";
  options.concurrency = 4;
  options.warmup = absl::Milliseconds(100);
  options.duration = absl::Milliseconds(300);
  options.threads = 2;
  int windows = 0;
  options.at_measure_start = [&] { ++windows; };
  options.at_measure_end = [&] { ++windows; };
  int64_t responses = 0;
  const grpc::ByteBuffer request = EchoBytes();
  const LoadReport report = RunLoad(
      channel_, "/sslpanel.bench.v1.EchoService/Echo", options, [&](int64_t) { return request; },
      [&](int64_t, const grpc::Status& status, const grpc::ByteBuffer& response) {
        if (status.ok() && response.Length() > 0) {
          __atomic_add_fetch(&responses, 1, __ATOMIC_RELAXED);
        }
      });
  EXPECT_EQ(windows, 2);
  EXPECT_EQ(report.mode, "closed");
  EXPECT_GT(report.ok, 0);
  EXPECT_EQ(report.ok, report.completed);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_GT(report.qps, 0);
  EXPECT_GE(responses, report.ok);  // warm-up calls answer too
  ExpectSaneLatency(report.latency);

  const nlohmann::json json = ToJson(report);
  EXPECT_EQ(json["name"], "echo");
  EXPECT_EQ(json["ok"], report.ok);
  EXPECT_TRUE(json["latency"].contains("p99_us"));
  EXPECT_THAT(FormatTable({report}), HasSubstr("echo"));
}

TEST_F(LoadgenTest, OpenLoopStartsCallsAtTheRate) {
  LoadOptions options;
  options.concurrency = 64;
  options.rate = 200;
  options.warmup = absl::Milliseconds(100);
  options.duration = absl::Milliseconds(500);
  const grpc::ByteBuffer request = EchoBytes();
  const LoadReport report = RunLoad(channel_, "/sslpanel.bench.v1.EchoService/Echo", options,
                                    [&](int64_t) { return request; });
  EXPECT_EQ(report.mode, "open");
  // About 100 calls are scheduled in the window; an echo keeps up with them.
  EXPECT_GT(report.latency.count, 50);
  EXPECT_LE(report.latency.count, 101);
  EXPECT_EQ(report.not_sent, 0);
  ExpectSaneLatency(report.latency);
  EXPECT_EQ(ToJson(report)["offered_rate"], 200.0);
}

TEST_F(LoadgenTest, CountsErrorsByStatusCode) {
  LoadOptions options;
  options.concurrency = 2;
  options.warmup = absl::Milliseconds(50);
  options.duration = absl::Milliseconds(200);
  const grpc::ByteBuffer request = EchoBytes();
  const LoadReport report = RunLoad(channel_, "/sslpanel.bench.v1.EchoService/NoSuchMethod",
                                    options, [&](int64_t) { return request; });
  EXPECT_EQ(report.ok, 0);
  EXPECT_GT(report.errors.at("UNIMPLEMENTED"), 0);
  EXPECT_EQ(report.latency.count, 0);
}

TEST(LoadgenSummarize, NearestRankPercentiles) {
  std::vector<int64_t> ns;
  for (int i = 1; i <= 100; ++i) {
    ns.push_back(i * 1000);  // 1..100 us
  }
  const LatencyStats s = Summarize(ns);
  EXPECT_EQ(s.count, 100);
  EXPECT_DOUBLE_EQ(s.p50_us, 50);
  EXPECT_DOUBLE_EQ(s.p90_us, 90);
  EXPECT_DOUBLE_EQ(s.p99_us, 99);
  EXPECT_DOUBLE_EQ(s.max_us, 100);
  EXPECT_DOUBLE_EQ(s.mean_us, 50.5);
  EXPECT_DOUBLE_EQ(Median({3, 1, 2}), 2);
}

// The command-line tools as scripts/bench would use them.
TEST(LoadgenCommand, WritesAJsonReportAgainstTheEchoServer) {
  const std::string dir = testing::MakeTempDir("loadgen-smoke-");
  auto server = testing::Subprocess::Start(
      {SSLPANEL_BENCH_ECHO_BIN, "--listen=127.0.0.1:0", "--port_file=" + dir + "/port"},
      dir + "/echo.log");
  ASSERT_TRUE(server.ok()) << server.status();
  auto port = testing::WaitForPortFile(dir + "/port", **server);
  ASSERT_TRUE(port.ok()) << port.status();
  auto loadgen = testing::Subprocess::Start(
      {SSLPANEL_LOADGEN_BIN, absl::StrCat("--target=127.0.0.1:", *port), "--call=echo",
       "--concurrency=4", "--warmup=100ms", "--duration=300ms", "--json_out=" + dir + "/r.json"},
      dir + "/loadgen.log");
  ASSERT_TRUE(loadgen.ok()) << loadgen.status();
  auto code = (*loadgen)->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*loadgen)->Log();
  EXPECT_THAT((*loadgen)->Log(), HasSubstr("p99_us"));
  std::ifstream in(dir + "/r.json");
  const nlohmann::json report = nlohmann::json::parse(in);
  EXPECT_EQ(report["name"], "echo");
  EXPECT_GT(report["ok"].get<int64_t>(), 0);
  EXPECT_GT(report["qps"].get<double>(), 0);
  EXPECT_TRUE(report["errors"].empty());
  auto stopped = (*server)->Terminate();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, 0);
}

}  // namespace
}  // namespace sslpanel::bench
