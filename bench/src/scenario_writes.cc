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
#include "bench/src/floors.h"
#include "bench/src/lifecycle.h"
#include "bench/src/procstat.h"
#include "bench/src/report.h"
#include "bench/src/requests.h"
#include "bench/src/rounds.h"
#include "bench/src/scenarios.h"
#include "bench/src/setup.h"
#include "bench/src/summary.h"
#include "bench/src/sustain.h"
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
  Fresh floor_db = FreshDatabase();
  if (absl::Status s = integration::Migrate(integration::Binaries::Workflow(), floor_db.config);
      !s.ok()) {
    Fail("migrate the floor's database", s);
  }
  auto floor = StartFloor("createorder-floor",
                          CreateOrderFloor(create_wf->target(), fresh.config, floor_db.config));
  Progress("P2/P3: raw INSERT+COMMIT@16, CreateOrder@16, its floor, lifecycles, interleaved");
  std::vector<Round> raw, create, life, before, floors;
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
    const CreateOrderRequests floor_make(absl::StrCat("p2f-", getpid(), "-", i));
    floors.push_back(GrpcRound(
        floor->target(), kCreateOrderMethod, b.Options("CreateOrder floor@16", 16),
        {{"client", b.self}, {"server", floor->process().pid()}, {"mariadbd", b.mariadbd}},
        [&floor_make](int64_t seq) { return floor_make(seq); }));
    std::cerr << FormatTable(
        {raw.back().report, create.back().report, floors.back().report, life.back().report});
    if (before_wf != nullptr) {
      const CreateOrderRequests before_make(absl::StrCat("p2b-", getpid(), "-", i));
      before.push_back(GrpcRound(
          before_wf->target(), kCreateOrderMethod, b.Options("CreateOrder@16 (baseline bin)", 16),
          {{"client", b.self}, {"server", before_wf->process().pid()}, {"mariadbd", b.mariadbd}},
          [&before_make](int64_t seq) { return before_make(seq); }));
      std::cerr << FormatTable({before.back().report});
    }
  }
  const double p2_rate = MedianOf(create, Qps);
  const double p2_ratio = p2_rate / MedianOf(raw, Qps);
  const double p2_floor_ratio = p2_rate / MedianOf(floors, Qps);
  const double p3_rate = MedianOf(life, Qps);
  const double p3_ratio = p3_rate / p2_rate;

  // Open loop at 80 % of the capacity the closed loop measured: the backlog
  // must stay flat, and the workflow's CPU per lifecycle is P3's numerator.
  const double rate = std::max(1.0, 0.8 * p3_rate);
  Progress(
      absl::StrFormat("P3: open loop at %.0f lifecycles/s (80%% of the measured capacity) "
                      "for %s",
                      rate, absl::FormatDuration(b.sustain_duration)));
  const SustainResult ours = Sustain(b, *system, tracker, rate, "this");
  tracker.Stop();
  const double create_server_us = MedianCpu(create, "server");
  const double p3_cpu_ratio = create_server_us > 0 ? ours.server_us / create_server_us : 0;
  SustainResult theirs;
  if (!before_bin.empty()) {
    // The same open loop on a whole system running the previous binary.
    system.reset();
    integration::SystemOptions options;
    options.workflow_binary = before_bin;
    auto before_system = Must(integration::System::Start(options), "start the baseline system");
    mysql::MysqlConfig before_system_db = b.server;
    before_system_db.database = DbNameOf(before_system->workflow_process().process().pid());
    LifecycleTracker before_tracker(before_system_db);
    if (absl::Status s = before_tracker.Start(); !s.ok()) {
      Fail("lifecycle tracker", s);
    }
    Progress("P3: the same open loop on the baseline binary");
    theirs = Sustain(b, *before_system, before_tracker, rate, "before");
    before_tracker.Stop();
  }
  const double foreign = std::max(MaxForeign({&raw, &create, &life, &floors}), ours.foreign_cores);

  b.Add(absl::StrFormat(
      "%s P2  CreateOrder@16 / its floor@16 = %.2f (target >= 0.80; per round %s): %.0f vs %.0f "
      "per s (p99 %.1f vs %.1f ms); floor %s",
      Mark(p2_floor_ratio >= 0.8), p2_floor_ratio, Range(Ratios(create, floors, Qps), "%.2f"),
      p2_rate, MedianOf(floors, Qps), MedianOf(create, P99) / 1000, MedianOf(floors, P99) / 1000,
      CpuLine(floors, {"client", "server", "mariadbd"})));
  b.Add(absl::StrFormat(
      "     P2  (old baseline) CreateOrder@16 / raw INSERT+COMMIT@16 = %.2f (per round %s): %.0f "
      "vs %.0f per s (p99 %.1f vs %.1f ms)",
      p2_ratio, Range(Ratios(create, raw, Qps), "%.2f"), p2_rate, MedianOf(raw, Qps),
      MedianOf(create, P99) / 1000, MedianOf(raw, P99) / 1000));
  b.Add(absl::StrFormat("     P2  %s | raw %s", CpuLine(create, {"client", "server", "mariadbd"}),
                        CpuLine(raw, {"client", "mariadbd"})));
  b.Add(absl::StrFormat(
      "%s P3  workflow CPU per lifecycle / per CreateOrder = %.2f (target <= 2): %.0f vs %.0f us "
      "(CA adapter's own %.0f us and mariadbd %.0f us per lifecycle not counted)",
      Mark(p3_cpu_ratio > 0 && p3_cpu_ratio <= 2), p3_cpu_ratio, ours.server_us, create_server_us,
      ours.sandbox_us, ours.mariadbd_us));
  b.Add(absl::StrFormat(
      "%s P3  open loop at 80%% of capacity (%.0f/s): %.0f ACTIVE/s, outbox backlog slope %+.1f/s "
      "(max %d), unfinished slope %+.1f/s (max %d), create->ACTIVE p50 %.0f ms p99 %.0f ms%s",
      Mark(ours.flat && ours.kept_up), rate, ours.active_per_s, ours.outbox_slope, ours.outbox_max,
      ours.unfinished_slope, ours.unfinished_max, ours.json["p50_ms"].get<double>(),
      ours.json["p99_ms"].get<double>(),
      ours.not_sent > 0 ? absl::StrCat(" (", ours.not_sent, " not sent)") : ""));
  b.Add(absl::StrFormat(
      "     P3  (old) lifecycles/s closed loop @%d / P2 = %.2f (per round %s): %.0f vs %.0f per "
      "s, create->ACTIVE p50 %.0f ms p99 %.0f ms; %s",
      in_flight, p3_ratio, Range(Ratios(life, create, Qps), "%.2f"), p3_rate, p2_rate,
      MedianOf(life, P50) / 1000, MedianOf(life, P99) / 1000,
      CpuLine(life, {"client", "server", "sandbox", "mariadbd"})));
  if (!before.empty()) {
    const double guard = MedianOf(create, Qps) / MedianOf(before, Qps);
    b.Add(absl::StrFormat(
        "%s P2  guard: CreateOrder@16 this build / baseline binary = %.2f (target >= 1; per "
        "round %s): %.0f vs %.0f per s, p99 %.1f vs %.1f ms; baseline %s",
        Mark(guard >= 1), guard, Range(Ratios(create, before, Qps), "%.2f"), MedianOf(create, Qps),
        MedianOf(before, Qps), MedianOf(create, P99) / 1000, MedianOf(before, P99) / 1000,
        CpuLine(before, {"client", "server", "mariadbd"})));
    json rounds = json::array();
    for (const Round& r : before) {
      rounds.push_back(RoundJson(r));
    }
    b.results["p2_baseline_bin"] = {{"binary", before_bin},
                                    {"rounds", rounds},
                                    {"create_order_per_s", MedianOf(before, Qps)},
                                    {"create_order_p99_us", MedianOf(before, P99)}};
  }
  if (!before_bin.empty()) {
    const double guard = ours.server_us > 0 ? theirs.server_us / ours.server_us : 0;
    b.Add(absl::StrFormat(
        "%s P3  guard: workflow CPU per lifecycle, baseline binary / this build = %.2f (target "
        ">= 1): %.0f vs %.0f us at %.0f/s; baseline %s, %.0f ACTIVE/s",
        Mark(guard >= 1), guard, theirs.server_us, ours.server_us, rate,
        theirs.flat && theirs.kept_up ? "flat" : "NOT flat", theirs.active_per_s));
    const double before_create_us = MedianCpu(before, "server");
    b.Add(absl::StrFormat(
        "     P3  baseline binary: workflow CPU per lifecycle / per CreateOrder = %.2f: %.0f vs "
        "%.0f us",
        before_create_us > 0 ? theirs.server_us / before_create_us : 0, theirs.server_us,
        before_create_us));
    b.results["p3_baseline_bin"] = theirs.json;
    b.results["p3_baseline_bin"]["server_us_per_lifecycle"] = theirs.server_us;
  }
  b.Add(absl::StrFormat("     load: loadavg %.2f, foreign CPU max %.2f cores during P2/P3",
                        LoadAverage1(), foreign));
  json rounds = json::array();
  for (int i = 0; i < b.rounds; ++i) {
    rounds.push_back({{"raw_insert_commit", RoundJson(raw[i])},
                      {"create_order", RoundJson(create[i])},
                      {"floor", RoundJson(floors[i])},
                      {"lifecycles", RoundJson(life[i])}});
  }
  b.results["p2"] = {{"floor_ratio", p2_floor_ratio},
                     {"raw_insert_ratio", p2_ratio},
                     {"create_order_per_s", p2_rate},
                     {"floor_per_s", MedianOf(floors, Qps)},
                     {"raw_insert_commit_per_s", MedianOf(raw, Qps)},
                     {"target_ratio", 0.8}};
  b.results["p3"] = {{"cpu_ratio", p3_cpu_ratio},
                     {"server_us_per_lifecycle", ours.server_us},
                     {"server_us_per_create", create_server_us},
                     {"sandbox_us_per_lifecycle", ours.sandbox_us},
                     {"mariadbd_us_per_lifecycle", ours.mariadbd_us},
                     {"closed_loop_ratio", p3_ratio},
                     {"lifecycles_per_s", p3_rate},
                     {"in_flight", in_flight},
                     {"target_cpu_ratio", 2.0},
                     {"sustain", ours.json}};
  b.results["p2p3_rounds"] = rounds;
  b.results["p2p3_foreign_cores_max"] = foreign;
}

}  // namespace sslpanel::bench
