// P2 and P3: CreateOrder against raw INSERT+COMMIT, whole lifecycles against
// CreateOrder, and an open-loop run that must keep the backlog flat.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/src/bench.h"
#include "bench/src/lifecycle.h"
#include "bench/src/procstat.h"
#include "bench/src/report.h"
#include "bench/src/requests.h"
#include "bench/src/rounds.h"
#include "bench/src/scenarios.h"
#include "bench/src/setup.h"
#include "bench/src/summary.h"
#include "integration-tests/system.h"

namespace sslpanel::bench {

namespace wf = ::sslpanel::workflow::v1;
using nlohmann::json;

namespace {

// P3 closed loop: `in_flight` lifecycles at a time, each from CreateOrder to
// ACTIVE as seen in the database.
Round LifecycleRound(Bench& b, integration::System& system, LifecycleTracker& tracker,
                     const ProcessMap& processes, int in_flight, int round) {
  const CreateOrderRequests make(absl::StrCat("p3-", getpid(), "-", round));
  std::atomic<int64_t> seq{0};
  std::mutex errors_mu;
  std::map<std::string, int64_t> errors;
  const int64_t begin = NowNs();
  const int64_t measure = begin + absl::ToInt64Nanoseconds(b.warmup);
  const int64_t end = measure + absl::ToInt64Nanoseconds(b.duration);
  CpuMeter meter;
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::nanoseconds(measure - NowNs()));
    meter.Start(processes);
    std::this_thread::sleep_for(std::chrono::nanoseconds(end - NowNs()));
    meter.Stop();
  });
  auto channel = ChannelTo(system.workflow_process().target());
  auto stub = wf::WorkflowService::NewStub(channel);
  std::vector<std::thread> creators;
  for (int c = 0; c < 4; ++c) {
    creators.emplace_back([&] {
      while (NowNs() < end) {
        if (!tracker.WaitBelow(in_flight, absl::Milliseconds(100))) {
          continue;
        }
        const int64_t n = seq++;
        wf::CreateOrderRequest request;
        if (!Parse(make(n), &request)) {
          continue;
        }
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        wf::CreateOrderResponse response;
        const int64_t sent = NowNs();
        const grpc::Status status = stub->CreateOrder(&context, request, &response);
        if (status.ok()) {
          int64_t id = 0;
          (void)absl::SimpleAtoi(response.order().order_id(), &id);
          tracker.Created(id, sent);
        } else if (sent >= measure) {
          std::lock_guard<std::mutex> lock(errors_mu);
          ++errors[StatusCodeName(status.error_code())];
        }
      }
    });
  }
  for (std::thread& t : creators) {
    t.join();
  }
  timer.join();
  LoadReport report;
  report.name = absl::StrCat("lifecycles@", in_flight);
  report.mode = "closed";
  report.concurrency = in_flight;
  report.seconds = absl::ToDoubleSeconds(b.duration);
  report.ok = tracker.FinishedBetween(measure, end);
  report.completed = report.ok;
  report.qps = static_cast<double>(report.ok) / report.seconds;
  report.errors = errors;
  // Let the lifecycles still running finish so the next round starts clean.
  const bool drained = tracker.WaitBelow(1, absl::Seconds(60));
  report.latency = Summarize(tracker.LatenciesOfCreatedBetween(measure, end));
  Round r = Finish(std::move(report), meter);
  r.cpu["drained"] = drained;
  return r;
}

}  // namespace

void RunP2P3(Bench& b, const mysql::MysqlConfig& raw_db) {
  Progress("P2/P3: starting the whole system (processing on)");
  auto system = Must(integration::System::Start({}), "start the system");
  auto fresh = FreshDatabase();
  auto create_wf = StartApiWorkflow("workflow-p2", fresh.config);
  const pid_t create_pid = create_wf->process().pid();
  const pid_t system_pid = system->workflow_process().process().pid();
  const pid_t sandbox_pid = system->sandbox().process().pid();
  mysql::MysqlConfig system_db = b.server;
  system_db.database = DbNameOf(system_pid);
  LifecycleTracker tracker(system_db);
  if (absl::Status s = tracker.Start(); !s.ok()) {
    Fail("lifecycle tracker", s);
  }
  const int in_flight = b.lifecycles_in_flight;
  const std::string before_bin = b.baseline_workflow_bin;
  Fresh before_db;
  std::unique_ptr<integration::RunningService> before_wf;
  if (!before_bin.empty()) {
    before_db = FreshDatabase();
    before_wf = StartApiWorkflow("workflow-p2-before", before_db.config, before_bin);
  }
  Progress("P2/P3: raw INSERT+COMMIT@16, CreateOrder@16, lifecycles, interleaved");
  std::vector<Round> raw, create, life, before;
  for (int i = 0; i < b.rounds; ++i) {
    raw.push_back(DbRound(raw_db, DbOp::kInsertCommit, b.Options("INSERT+COMMIT@16conn", 16),
                          {{"client", b.self}, {"mariadbd", b.mariadbd}}, 0));
    const CreateOrderRequests make(absl::StrCat("p2-", getpid(), "-", i));
    create.push_back(
        GrpcRound(create_wf->target(), kCreateOrderMethod, b.Options("CreateOrder@16", 16),
                  {{"client", b.self}, {"server", create_pid}, {"mariadbd", b.mariadbd}},
                  [&make](int64_t seq) { return make(seq); }));
    life.push_back(LifecycleRound(b, *system, tracker,
                                  {{"client", b.self},
                                   {"server", system_pid},
                                   {"sandbox", sandbox_pid},
                                   {"mariadbd", b.mariadbd}},
                                  in_flight, i));
    std::cerr << FormatTable({raw.back().report, create.back().report, life.back().report});
    if (before_wf != nullptr) {
      const CreateOrderRequests before_make(absl::StrCat("p2b-", getpid(), "-", i));
      before.push_back(GrpcRound(
          before_wf->target(), kCreateOrderMethod, b.Options("CreateOrder@16 (baseline bin)", 16),
          {{"client", b.self}, {"server", before_wf->process().pid()}, {"mariadbd", b.mariadbd}},
          [&before_make](int64_t seq) { return before_make(seq); }));
      std::cerr << FormatTable({before.back().report});
    }
  }
  if (!before.empty()) {
    b.Add(absl::StrFormat(
        "     P2  CreateOrder@16 this build / baseline binary = %.2f (per round %s): %.0f vs %.0f "
        "per s, p99 %.1f vs %.1f ms; baseline %s",
        MedianOf(create, Qps) / MedianOf(before, Qps), Range(Ratios(create, before, Qps), "%.2f"),
        MedianOf(create, Qps), MedianOf(before, Qps), MedianOf(create, P99) / 1000,
        MedianOf(before, P99) / 1000, CpuLine(before, {"client", "server", "mariadbd"})));
    json rounds = json::array();
    for (const Round& r : before) {
      rounds.push_back(RoundJson(r));
    }
    b.results["p2_baseline_bin"] = {{"binary", before_bin},
                                    {"rounds", rounds},
                                    {"create_order_per_s", MedianOf(before, Qps)},
                                    {"create_order_p99_us", MedianOf(before, P99)}};
  }
  const double p2_rate = MedianOf(create, Qps);
  const double p2_ratio = p2_rate / MedianOf(raw, Qps);
  const double p3_rate = MedianOf(life, Qps);
  const double p3_ratio = p3_rate / p2_rate;

  // Open loop at half P2's rate: does the pipeline keep up, backlog flat?
  // When the closed loop already showed a capacity well below that, an
  // open loop at the target rate can only pile up work (and take minutes to
  // drain); the flat-backlog check then runs at 80 % of the measured
  // capacity instead, and the target is missed on the capacity alone.
  const double target_rate = std::max(1.0, 0.5 * p2_rate);
  const bool at_target = p3_rate >= 0.9 * target_rate;
  const double rate = at_target ? target_rate : std::max(1.0, 0.8 * p3_rate);
  Progress(absl::StrFormat("P3: open loop at %.0f lifecycles/s (%s) for %s", rate,
                           at_target ? "half of P2" : "80% of the measured capacity",
                           absl::FormatDuration(b.sustain_duration)));
  LoadOptions sustain;
  sustain.name = absl::StrFormat("lifecycles@%.0f/s", rate);
  sustain.concurrency = 512;
  sustain.rate = rate;
  sustain.warmup = absl::Seconds(2);
  sustain.duration = b.sustain_duration;
  std::mutex sent_mu;
  std::map<int64_t, int64_t> sent_at;
  int64_t measure_from = 0;
  int64_t measure_to = 0;
  CpuMeter meter;
  const ProcessMap system_processes = {{"client", b.self},
                                       {"server", system_pid},
                                       {"sandbox", sandbox_pid},
                                       {"mariadbd", b.mariadbd}};
  sustain.at_measure_start = [&] {
    measure_from = NowNs();
    meter.Start(system_processes);
  };
  sustain.at_measure_end = [&] {
    measure_to = NowNs();
    meter.Stop();
  };
  const CreateOrderRequests make(absl::StrCat("p3s-", getpid()));
  LoadReport creates = RunLoad(
      ChannelTo(system->workflow_process().target()), kCreateOrderMethod, sustain,
      [&](int64_t seq) {
        std::lock_guard<std::mutex> lock(sent_mu);
        sent_at[seq] = NowNs();
        return make(seq);
      },
      [&](int64_t seq, const grpc::Status& status, const grpc::ByteBuffer& response) {
        if (!status.ok()) {
          return;
        }
        int64_t sent = 0;
        {
          std::lock_guard<std::mutex> lock(sent_mu);
          sent = sent_at[seq];
        }
        tracker.Created(CreatedOrderId(response), sent);
      });
  const std::vector<BacklogSample> samples = tracker.SamplesBetween(measure_from, measure_to);
  const int64_t finished = tracker.FinishedBetween(measure_from, measure_to);
  const bool drained = tracker.WaitBelow(1, absl::Seconds(60));
  const LatencyStats latency =
      Summarize(tracker.LatenciesOfCreatedBetween(measure_from, measure_to));
  const double seconds = static_cast<double>(measure_to - measure_from) / 1e9;
  const double finished_rate = seconds > 0 ? static_cast<double>(finished) / seconds : 0;
  std::vector<std::pair<double, double>> unfinished_points, outbox_points;
  json sample_json = json::array();
  int64_t outbox_max = 0, unfinished_max = 0;
  for (const BacklogSample& s : samples) {
    unfinished_points.emplace_back(s.t, static_cast<double>(s.unfinished));
    outbox_points.emplace_back(s.t, static_cast<double>(s.outbox_pending));
    outbox_max = std::max(outbox_max, s.outbox_pending);
    unfinished_max = std::max(unfinished_max, s.unfinished);
    sample_json.push_back(
        {{"t", s.t}, {"outbox_pending", s.outbox_pending}, {"unfinished", s.unfinished}});
  }
  const double outbox_slope = Slope(outbox_points);
  const double unfinished_slope = Slope(unfinished_points);
  // Flat: under 2 % of the arrivals pile up per second, and 95 % of the
  // offered rate comes out the other end.
  const bool flat = outbox_slope <= 0.02 * rate && unfinished_slope <= 0.02 * rate;
  const bool kept_up = finished_rate >= 0.95 * rate;
  const double foreign = std::max(MaxForeign({&raw, &create, &life}), meter.ForeignCores());

  b.Add(absl::StrFormat(
      "%s P2  CreateOrder@16 / raw INSERT+COMMIT@16 = %.2f (target >= 0.80; per round %s): %.0f "
      "vs %.0f per s (p99 %.1f vs %.1f ms)",
      Mark(p2_ratio >= 0.8), p2_ratio, Range(Ratios(create, raw, Qps), "%.2f"), p2_rate,
      MedianOf(raw, Qps), MedianOf(create, P99) / 1000, MedianOf(raw, P99) / 1000));
  b.Add(absl::StrFormat("     P2  %s | raw %s", CpuLine(create, {"client", "server", "mariadbd"}),
                        CpuLine(raw, {"client", "mariadbd"})));
  b.Add(absl::StrFormat(
      "%s P3  lifecycles/s (closed loop @%d) / P2 = %.2f (target >= 0.50; per round %s): %.0f "
      "vs %.0f per s, create->ACTIVE p50 %.0f ms p99 %.0f ms",
      Mark(p3_ratio >= 0.5), in_flight, p3_ratio, Range(Ratios(life, create, Qps), "%.2f"), p3_rate,
      p2_rate, MedianOf(life, P50) / 1000, MedianOf(life, P99) / 1000));
  b.Add(absl::StrFormat("     P3  %s", CpuLine(life, {"client", "server", "sandbox", "mariadbd"})));
  b.Add(absl::StrFormat(
      "%s P3  open loop at %s (%.0f/s): %.0f ACTIVE/s, outbox backlog slope %+.1f/s (max %d), "
      "unfinished slope %+.1f/s (max %d), create->ACTIVE p50 %.0f ms p99 %.0f ms%s",
      at_target ? Mark(flat && kept_up) : (flat && kept_up ? "FLAT" : "MISS"),
      at_target ? "half P2"
                : absl::StrFormat("80%% of capacity; half P2 = %.0f/s is above it", target_rate),
      rate, finished_rate, outbox_slope, outbox_max, unfinished_slope, unfinished_max,
      latency.p50_us / 1000, latency.p99_us / 1000,
      creates.not_sent > 0 ? absl::StrCat(" (", creates.not_sent, " not sent)") : ""));
  b.Add(absl::StrFormat("     load: loadavg %.2f, foreign CPU max %.2f cores during P2/P3",
                        LoadAverage1(), foreign));
  json rounds = json::array();
  for (int i = 0; i < b.rounds; ++i) {
    rounds.push_back({{"raw_insert_commit", RoundJson(raw[i])},
                      {"create_order", RoundJson(create[i])},
                      {"lifecycles", RoundJson(life[i])}});
  }
  b.results["p2"] = {{"ratio", p2_ratio},
                     {"create_order_per_s", p2_rate},
                     {"raw_insert_commit_per_s", MedianOf(raw, Qps)},
                     {"target_ratio", 0.8}};
  b.results["p3"] = {{"ratio", p3_ratio},
                     {"lifecycles_per_s", p3_rate},
                     {"in_flight", in_flight},
                     {"target_ratio", 0.5},
                     {"sustain",
                      {{"offered_per_s", rate},
                       {"target_rate_per_s", target_rate},
                       {"at_target_rate", at_target},
                       {"active_per_s", finished_rate},
                       {"creates", ToJson(creates)},
                       {"lifecycle_latency", ToJson(latency)},
                       {"outbox_slope_per_s", outbox_slope},
                       {"unfinished_slope_per_s", unfinished_slope},
                       {"flat", flat},
                       {"kept_up", kept_up},
                       {"drained", drained},
                       {"cpu", meter.ToJson(static_cast<double>(finished))},
                       {"samples", sample_json}}}};
  b.results["p2p3_rounds"] = rounds;
  b.results["p2p3_foreign_cores_max"] = foreign;
  tracker.Stop();
}

}  // namespace sslpanel::bench
