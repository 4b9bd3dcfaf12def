// P1 and G2: GetOrder reads against their baselines.
#include <algorithm>
#include <iostream>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/src/bench.h"
#include "bench/src/floors.h"
#include "bench/src/procstat.h"
#include "bench/src/report.h"
#include "bench/src/requests.h"
#include "bench/src/rounds.h"
#include "bench/src/scenarios.h"
#include "bench/src/setup.h"
#include "bench/src/summary.h"

namespace sslpanel::bench {

using nlohmann::json;

namespace {

std::vector<int64_t> ShuffledIds(int64_t count, size_t take) {
  std::mt19937_64 random(7);
  std::vector<int64_t> ids;
  if (static_cast<size_t>(count) <= take) {
    for (int64_t i = 1; i <= count; ++i) {
      ids.push_back(i);
    }
    std::shuffle(ids.begin(), ids.end(), random);
  } else {
    std::uniform_int_distribution<int64_t> pick(1, count);
    for (size_t i = 0; i < take; ++i) {
      ids.push_back(pick(random));
    }
  }
  return ids;
}

RequestFn Cycle(std::vector<grpc::ByteBuffer> requests) {
  auto shared = std::make_shared<std::vector<grpc::ByteBuffer>>(std::move(requests));
  return [shared](int64_t seq) { return (*shared)[static_cast<size_t>(seq) % shared->size()]; };
}

}  // namespace

void RunP1(Bench& b, const std::string& small_target, pid_t small_pid,
           const mysql::MysqlConfig& small_db, const mysql::MysqlConfig& raw_db, int select_rows,
           int64_t small_orders) {
  Progress("P1: GetOrder@64 vs its floor@64 and echo@64, interleaved");
  const RequestFn echo_request = Cycle({EchoRequest(0)});
  const std::vector<int64_t> ids = ShuffledIds(small_orders, 100000);
  const RequestFn get_request = Cycle(GetOrderRequests(ids));
  auto floor = StartFloor("getorder-floor", GetOrderFloor(small_db, small_target, ids));
  std::vector<Round> echo, get, select, before, floors;
  std::unique_ptr<integration::RunningService> before_wf;
  const std::string before_bin = b.baseline_workflow_bin;
  if (!before_bin.empty()) {
    before_wf = StartApiWorkflow("workflow-before", small_db, before_bin);
  }
  for (int i = 0; i < b.rounds; ++i) {
    echo.push_back(GrpcRound(
        b.echo->target(), kEchoMethod, b.Options("echo@64", 64),
        {{"client", b.self}, {"server", b.echo->process().pid()}, {"mariadbd", b.mariadbd}},
        echo_request));
    get.push_back(GrpcRound(small_target, kGetOrderMethod, b.Options("GetOrder@64", 64),
                            {{"client", b.self}, {"server", small_pid}, {"mariadbd", b.mariadbd}},
                            get_request));
    select.push_back(DbRound(raw_db, DbOp::kPointSelect, b.Options("PK SELECT@16conn", 16),
                             {{"client", b.self}, {"mariadbd", b.mariadbd}}, select_rows));
    floors.push_back(GrpcRound(
        floor->target(), kGetOrderMethod, b.Options("GetOrder floor@64", 64),
        {{"client", b.self}, {"server", floor->process().pid()}, {"mariadbd", b.mariadbd}},
        get_request));
    std::cerr << FormatTable(
        {echo.back().report, get.back().report, floors.back().report, select.back().report});
    if (before_wf != nullptr) {
      before.push_back(GrpcRound(
          before_wf->target(), kGetOrderMethod, b.Options("GetOrder@64 (baseline bin)", 64),
          {{"client", b.self}, {"server", before_wf->process().pid()}, {"mariadbd", b.mariadbd}},
          get_request));
      std::cerr << FormatTable({before.back().report});
    }
  }
  const double floor_ratio = MedianOf(get, Qps) / MedianOf(floors, Qps);
  const double floor_p99_ratio = MedianOf(get, P99) / MedianOf(floors, P99);
  b.Add(absl::StrFormat(
      "%s P1  GetOrder@64 / its floor@64 QPS = %.2f (target >= 0.80; per round %s): GetOrder %.0f "
      "qps p99 %.1f ms | floor %.0f qps p99 %.1f ms",
      Mark(floor_ratio >= 0.8), floor_ratio, Range(Ratios(get, floors, Qps), "%.2f"),
      MedianOf(get, Qps), MedianOf(get, P99) / 1000, MedianOf(floors, Qps),
      MedianOf(floors, P99) / 1000));
  b.Add(absl::StrFormat("%s P1  GetOrder p99 / floor p99 = %.2f (target <= 3); floor %s",
                        Mark(floor_p99_ratio <= 3), floor_p99_ratio,
                        CpuLine(floors, {"client", "server", "mariadbd"})));
  if (!before.empty()) {
    const double guard = MedianOf(get, Qps) / MedianOf(before, Qps);
    b.Add(absl::StrFormat(
        "%s P1  guard: GetOrder@64 this build / baseline binary = %.2f (target >= 1; per round "
        "%s): %.0f vs %.0f qps, p99 %.1f vs %.1f ms; baseline %s",
        Mark(guard >= 1), guard, Range(Ratios(get, before, Qps), "%.2f"), MedianOf(get, Qps),
        MedianOf(before, Qps), MedianOf(get, P99) / 1000, MedianOf(before, P99) / 1000,
        CpuLine(before, {"client", "server", "mariadbd"})));
    json rounds = json::array();
    for (const Round& r : before) {
      rounds.push_back(RoundJson(r));
    }
    b.results["p1_baseline_bin"] = {{"binary", before_bin},
                                    {"rounds", rounds},
                                    {"get_order_qps", MedianOf(before, Qps)},
                                    {"get_order_p99_us", MedianOf(before, P99)}};
  }
  const int64_t hwm_kib = PeakRssKib(small_pid);
  const double qps_ratio = MedianOf(get, Qps) / MedianOf(echo, Qps);
  const double p99_ratio = MedianOf(get, P99) / MedianOf(echo, P99);
  const double foreign = MaxForeign({&echo, &get, &select, &floors});
  b.Add(absl::StrFormat(
      "     P1  (old baseline) GetOrder@64 / echo@64 QPS = %.2f (per round %s): GetOrder %.0f "
      "qps p99 %.1f ms | echo %.0f qps p99 %.1f ms",
      qps_ratio, Range(Ratios(get, echo, Qps), "%.2f"), MedianOf(get, Qps),
      MedianOf(get, P99) / 1000, MedianOf(echo, Qps), MedianOf(echo, P99) / 1000));
  b.Add(absl::StrFormat("     P1  (old baseline) GetOrder p99 / echo p99 = %.2f", p99_ratio));
  b.Add(absl::StrFormat("     P1  %s | echo %s | PK SELECT@16 %.0f qps (%s)",
                        CpuLine(get, {"client", "server", "mariadbd"}),
                        CpuLine(echo, {"client", "server"}), MedianOf(select, Qps),
                        CpuLine(select, {"client", "mariadbd"})));
  b.Add(absl::StrFormat("%s RSS workflow-service peak (VmHWM) during P1 = %.1f MiB (target <= 64)",
                        Mark(hwm_kib > 0 && hwm_kib <= 64 * 1024), hwm_kib / 1024.0));
  b.Add(absl::StrFormat("     load: loadavg %.2f, foreign CPU max %.2f cores during P1",
                        LoadAverage1(), foreign));
  json rounds = json::array();
  for (int i = 0; i < b.rounds; ++i) {
    rounds.push_back({{"echo", RoundJson(echo[i])},
                      {"get_order", RoundJson(get[i])},
                      {"pk_select", RoundJson(select[i])},
                      {"floor", RoundJson(floors[i])}});
  }
  b.results["p1"] = {{"rounds", rounds},
                     {"floor_qps_ratio", floor_ratio},
                     {"floor_p99_ratio", floor_p99_ratio},
                     {"floor_qps", MedianOf(floors, Qps)},
                     {"floor_p99_us", MedianOf(floors, P99)},
                     {"echo_qps_ratio", qps_ratio},
                     {"echo_p99_ratio", p99_ratio},
                     {"get_order_qps", MedianOf(get, Qps)},
                     {"echo_qps", MedianOf(echo, Qps)},
                     {"pk_select_qps", MedianOf(select, Qps)},
                     {"get_order_p99_us", MedianOf(get, P99)},
                     {"echo_p99_us", MedianOf(echo, P99)},
                     {"foreign_cores_max", foreign},
                     {"target_qps_ratio", 0.8},
                     {"target_p99_ratio", 3.0}};
  b.results["rss"] = {{"workflow_vmhwm_kib", hwm_kib}, {"target_kib", 64 * 1024}};
}

void RunG2(Bench& b, const std::string& small_target, pid_t small_pid, int64_t small_orders,
           const std::string& large_target, pid_t large_pid, int64_t large_orders) {
  const double rate = b.g2_rate;
  Progress(absl::StrCat("G2: GetOrder p99 at ", small_orders, " vs ", large_orders,
                        " orders, open loop ", rate, "/s, interleaved"));
  const RequestFn small_request = Cycle(GetOrderRequests(ShuffledIds(small_orders, 100000)));
  const RequestFn large_request = Cycle(GetOrderRequests(ShuffledIds(large_orders, 100000)));
  // The same number of distinct orders as the small table, in the large one:
  // separates the table's size (index depth, plans) from the working set's
  // (CPU caches, buffer pool) when uniform access over a million is slower.
  std::vector<int64_t> hot_ids = ShuffledIds(small_orders, 100000);
  for (int64_t& id : hot_ids) {
    id += large_orders / 2;
  }
  const RequestFn hot_request = Cycle(GetOrderRequests(hot_ids));
  std::vector<Round> small, large, hot;
  // A p99 from a few thousand samples moves more than a throughput: at
  // least 5 rounds.
  const int rounds = std::max(b.rounds, 5);
  for (int i = 0; i < rounds; ++i) {
    LoadOptions options = b.Options("", 256, rate);
    options.name = absl::StrCat("GetOrder ", small_orders, " orders");
    small.push_back(GrpcRound(small_target, kGetOrderMethod, options,
                              {{"client", b.self}, {"server", small_pid}, {"mariadbd", b.mariadbd}},
                              small_request));
    options.name = absl::StrCat("GetOrder ", large_orders, " orders");
    large.push_back(GrpcRound(large_target, kGetOrderMethod, options,
                              {{"client", b.self}, {"server", large_pid}, {"mariadbd", b.mariadbd}},
                              large_request));
    options.name = absl::StrCat("GetOrder ", large_orders, " orders, ", small_orders, " hot");
    hot.push_back(GrpcRound(large_target, kGetOrderMethod, options,
                            {{"client", b.self}, {"server", large_pid}, {"mariadbd", b.mariadbd}},
                            hot_request));
    std::cerr << FormatTable({small.back().report, large.back().report, hot.back().report});
  }
  const double ratio = MedianOf(large, P99) / MedianOf(small, P99);
  const double hot_ratio = MedianOf(hot, P99) / MedianOf(small, P99);
  const double foreign = MaxForeign({&small, &large, &hot});
  b.Add(absl::StrFormat(
      "%s G2  GetOrder p99 at %d orders / at %d = %.2f (target <= 1.2; per round %s): %.2f ms vs "
      "%.2f ms (p50 %.2f vs %.2f ms) @%.0f/s open loop; foreign CPU max %.2f cores",
      Mark(ratio <= 1.2), large_orders, small_orders, ratio,
      Range(Ratios(large, small, P99), "%.2f"), MedianOf(large, P99) / 1000,
      MedianOf(small, P99) / 1000, MedianOf(large, P50) / 1000, MedianOf(small, P50) / 1000, rate,
      foreign));
  b.Add(absl::StrFormat(
      "     G2  same with %d distinct orders of the %d (working set as small) = %.2f (per round "
      "%s): p99 %.2f ms; %s",
      small_orders, large_orders, hot_ratio, Range(Ratios(hot, small, P99), "%.2f"),
      MedianOf(hot, P99) / 1000, CpuLine(large, {"server", "mariadbd"})));
  json round_json = json::array();
  for (int i = 0; i < rounds; ++i) {
    round_json.push_back({{"small", RoundJson(small[i])},
                          {"large", RoundJson(large[i])},
                          {"large_hot", RoundJson(hot[i])}});
  }
  b.results["g2"] = {{"rounds", round_json},
                     {"p99_ratio", ratio},
                     {"hot_p99_ratio", hot_ratio},
                     {"small_orders", small_orders},
                     {"large_orders", large_orders},
                     {"small_p99_us", MedianOf(small, P99)},
                     {"large_p99_us", MedianOf(large, P99)},
                     {"rate", rate},
                     {"foreign_cores_max", foreign},
                     {"target_p99_ratio", 1.2}};
}

}  // namespace sslpanel::bench
