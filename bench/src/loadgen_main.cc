// sslpanel-loadgen: drives one target with unary calls and prints a table
// and, with --json_out, a JSON report.
//
//   sslpanel-loadgen --target=127.0.0.1:50051 --call=get_order --order_ids=1-1000
//       --concurrency=64 --warmup=1s --duration=5s --json_out=/tmp/p1.json
//   sslpanel-loadgen --target=127.0.0.1:7000 --call=echo --rate=2000 --concurrency=256
#include <fstream>
#include <iostream>
#include <random>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/src/load.h"
#include "bench/src/report.h"
#include "bench/src/requests.h"
#include "common/config/command_line.h"

ABSL_FLAG(std::string, target, "", "host:port of the server; required");
ABSL_FLAG(std::string, call, "echo", "echo | get_order | create_order");
ABSL_FLAG(int, concurrency, 16, "calls in flight (open loop: at most in flight)");
ABSL_FLAG(double, rate, 0, "> 0: open loop at this many calls per second");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "warm-up before measuring");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "measurement window");
ABSL_FLAG(int, threads, 1, "client threads (completion queues)");
ABSL_FLAG(int, payload_bytes, 0, "echo: payload size");
ABSL_FLAG(std::string, order_ids, "1-1000", "get_order: ids as FIRST-LAST, called at random");
ABSL_FLAG(std::string, json_out, "", "write the JSON report here");
ABSL_FLAG(std::string, name, "", "name of the run in the report (default: the call)");

int main(int argc, char** argv) {
  sslpanel::config::ParseCommandLine(
      argc, argv, "sslpanel-loadgen --target=host:port --call=echo|get_order|...");
  namespace bench = sslpanel::bench;
  const std::string target = absl::GetFlag(FLAGS_target);
  const std::string call = absl::GetFlag(FLAGS_call);
  if (target.empty()) {
    std::cerr << "--target is required\n";
    return 2;
  }
  bench::LoadOptions options;
  options.name = absl::GetFlag(FLAGS_name).empty() ? call : absl::GetFlag(FLAGS_name);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.threads = absl::GetFlag(FLAGS_threads);
  if (options.concurrency < 1 || options.rate < 0 || options.duration <= absl::ZeroDuration()) {
    std::cerr << "--concurrency must be >= 1, --rate >= 0, --duration > 0\n";
    return 2;
  }

  std::string method;
  bench::RequestFn request;
  if (call == "echo") {
    method = bench::kEchoMethod;
    grpc::ByteBuffer echo = bench::EchoRequest(absl::GetFlag(FLAGS_payload_bytes));
    request = [echo](int64_t) { return echo; };
  } else if (call == "get_order") {
    std::vector<std::string> range = absl::StrSplit(absl::GetFlag(FLAGS_order_ids), '-');
    int64_t first = 0;
    int64_t last = 0;
    if (range.size() != 2 || !absl::SimpleAtoi(range[0], &first) ||
        !absl::SimpleAtoi(range[1], &last) || first < 1 || last < first) {
      std::cerr << "--order_ids must be FIRST-LAST\n";
      return 2;
    }
    std::vector<int64_t> ids;
    for (int64_t id = first; id <= last; ++id) {
      ids.push_back(id);
    }
    std::shuffle(ids.begin(), ids.end(), std::mt19937_64(42));
    auto requests = std::make_shared<std::vector<grpc::ByteBuffer>>(bench::GetOrderRequests(ids));
    method = bench::kGetOrderMethod;
    request = [requests](int64_t seq) { return (*requests)[seq % requests->size()]; };
  } else if (call == "create_order") {
    method = bench::kCreateOrderMethod;
    auto make = std::make_shared<bench::CreateOrderRequests>(
        absl::StrCat("loadgen-", absl::ToUnixMicros(absl::Now())));
    request = [make](int64_t seq) { return (*make)(seq); };
  } else {
    std::cerr << "--call must be echo, get_order or create_order\n";
    return 2;
  }

  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::cerr << "cannot connect to " << target << "\n";
    return 1;
  }
  const bench::LoadReport report = bench::RunLoad(channel, method, options, request);
  std::cout << bench::FormatTable({report});
  const std::string json_out = absl::GetFlag(FLAGS_json_out);
  if (!json_out.empty()) {
    std::ofstream out(json_out);
    out << bench::ToJson(report).dump(2) << "\n";
    if (!out) {
      std::cerr << "cannot write " << json_out << "\n";
      return 1;
    }
  }
  return report.ok > 0 ? 0 : 1;
}
