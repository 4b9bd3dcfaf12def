// sslpanel-bench: the scenarios of issue 9 against the real binaries on the
// MariaDB named by SSLPANEL_TEST_MYSQL (scripts/bench starts a private one),
// each next to its baseline in the same run, interleaved A/B/A/B, median of
// the rounds. Prints the ratios with the machine load and writes JSON.
//
// This file holds the flags and the order of the run; the scenarios are in
// scenario_*.cc, what they run against in setup.cc.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/src/bench.h"
#include "bench/src/db_load.h"
#include "bench/src/procstat.h"
#include "bench/src/scenarios.h"
#include "bench/src/seed.h"
#include "bench/src/setup.h"
#include "common/config/command_line.h"
#include "common/testing/test_database.h"
#include "integration-tests/harness.h"
#include "integration-tests/system.h"

ABSL_FLAG(int, rounds, 3, "rounds of each A/B comparison (the median is reported)");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "warm-up before each measurement");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(3), "measurement window of each round");
ABSL_FLAG(int64_t, small_orders, 1000, "orders in the small table (P1, G2)");
ABSL_FLAG(int64_t, large_orders, 1000000, "orders in the large table (G2)");
ABSL_FLAG(double, g2_rate, 500, "G2: GetOrder calls per second (open loop)");
ABSL_FLAG(int, lifecycles_in_flight, 128, "P3: lifecycles kept in flight (closed loop)");
ABSL_FLAG(absl::Duration, sustain_duration, absl::Seconds(10),
          "P3: how long the open-loop run at half P2's rate lasts");
ABSL_FLAG(std::string, only, "", "run only these parts: comma list of p1,g2,claims,p2p3");
ABSL_FLAG(absl::Duration, hold, absl::ZeroDuration(),
          "after seeding, print the services' addresses and wait this long (for profiling "
          "with sslpanel-loadgen and perf by hand)");
ABSL_FLAG(std::string, baseline_workflow_bin, "",
          "another workflow-service binary (e.g. built before a change): P1 and P2 then also run "
          "against it, interleaved, and report after/before");
ABSL_FLAG(std::string, json_out, "bench-results.json", "where the JSON results go");

namespace sslpanel::bench {
namespace {

bool Enabled(const std::string& part) {
  const std::string only = absl::GetFlag(FLAGS_only);
  if (only.empty()) {
    return true;
  }
  for (absl::string_view p : absl::StrSplit(only, ',')) {
    if (p == part) {
      return true;
    }
  }
  return false;
}

int Main() {
  Bench b;
  b.rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  b.warmup = absl::GetFlag(FLAGS_warmup);
  b.duration = absl::GetFlag(FLAGS_duration);
  b.g2_rate = absl::GetFlag(FLAGS_g2_rate);
  b.lifecycles_in_flight = absl::GetFlag(FLAGS_lifecycles_in_flight);
  b.sustain_duration = absl::GetFlag(FLAGS_sustain_duration);
  b.baseline_workflow_bin = absl::GetFlag(FLAGS_baseline_workflow_bin);
  b.server = Must(testing::TestServerConfig(), "SSLPANEL_TEST_MYSQL");
  b.mariadbd = MariadbPid(b.server);
  const int64_t small_orders = absl::GetFlag(FLAGS_small_orders);
  const int64_t large_orders = absl::GetFlag(FLAGS_large_orders);
  const int select_rows = 100000;

  {
    // The machine before anything starts.
    CpuMeter idle;
    idle.Start({{"self", b.self}});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    idle.Stop();
    b.results["machine"] = {{"cores", static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))},
                            {"loadavg_1m_at_start", LoadAverage1()},
                            {"busy_cores_before_start", idle.MachineCores()}};
    b.Add(absl::StrFormat("machine: %d cores, loadavg %.2f, %.2f cores busy before the run",
                          static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)), LoadAverage1(),
                          idle.MachineCores()));
  }

  b.echo = Must(integration::RunningService::Start("echo", SSLPANEL_BENCH_ECHO_BIN, {},
                                                   "sslpanel.bench.v1.EchoService"),
                "start the echo server");
  Fresh raw = FreshDatabase();
  if (absl::Status s = PrepareDbBaseline(raw.config, select_rows); !s.ok()) {
    Fail("prepare the baseline tables", s);
  }

  const bool need_seed = Enabled("p1") || Enabled("g2") || Enabled("claims");
  Fresh small_db = FreshDatabase();
  Fresh large_db = FreshDatabase();
  if (need_seed) {
    Progress("making a template order through the whole system");
    auto system = Must(integration::System::Start({}), "start the system");
    const auto [source_db, template_id] = TemplateOrder(*system);
    for (Fresh* db : {&small_db, &large_db}) {
      if (absl::Status s = integration::Migrate(integration::Binaries::Workflow(), db->config);
          !s.ok()) {
        Fail("migrate", s);
      }
    }
    const absl::Time t0 = absl::Now();
    if (absl::Status s = CloneOrders(small_db.config, source_db, template_id, small_orders);
        !s.ok()) {
      Fail("seed small", s);
    }
    const int64_t large = Enabled("g2") || Enabled("claims") ? large_orders : 1;
    Progress(absl::StrCat("seeding ", large, " orders"));
    const absl::Time t1 = absl::Now();
    if (absl::Status s = CloneOrders(large_db.config, source_db, template_id, large); !s.ok()) {
      Fail("seed large", s);
    }
    const absl::Duration seed_time = absl::Now() - t1;
    b.results["seed_flush"] = FlushDirtyPages(b.server);
    const TableSizes small_size = Must(SizeOf(small_db.config), "size");
    const TableSizes large_size = Must(SizeOf(large_db.config), "size");
    b.results["seed"] = {{"small_orders", small_size.orders},
                         {"small_bytes", small_size.bytes},
                         {"large_orders", large_size.orders},
                         {"large_bytes", large_size.bytes},
                         {"large_seconds", absl::ToDoubleSeconds(seed_time)},
                         {"small_seconds", absl::ToDoubleSeconds(t1 - t0)}};
    b.Add(absl::StrFormat(
        "seed: %d orders (%.0f MiB with indexes) in %.1f s from one real DV order",
        large_size.orders, large_size.bytes / 1048576.0, absl::ToDoubleSeconds(seed_time)));
  }
  auto small_wf = StartApiWorkflow("workflow-small", small_db.config);
  auto large_wf = StartApiWorkflow("workflow-large", large_db.config);
  if (need_seed) {
    CheckSeeded(small_wf->target(), small_orders);
    CheckSeeded(large_wf->target(), 1);
  }
  if (absl::GetFlag(FLAGS_hold) > absl::ZeroDuration()) {
    Progress(absl::StrCat("holding: small ", small_wf->target(), " pid ", small_wf->process().pid(),
                          ", large ", large_wf->target(), " pid ", large_wf->process().pid(),
                          ", echo ", b.echo->target(), " pid ", b.echo->process().pid()));
    absl::SleepFor(absl::GetFlag(FLAGS_hold));
  }
  if (Enabled("p1")) {
    RunP1(b, small_wf->target(), small_wf->process().pid(), small_db.config, raw.config,
          select_rows, small_orders);
  }
  if (Enabled("g2")) {
    RunG2(b, small_wf->target(), small_wf->process().pid(), small_orders, large_wf->target(),
          large_wf->process().pid(), large_orders);
  }
  if (Enabled("claims")) {
    RunClaims(b, large_db.config, large_orders);
  }
  small_wf.reset();
  large_wf.reset();
  if (Enabled("p2p3")) {
    RunP2P3(b, raw.config);
  }

  b.results["summary"] = b.summary;
  b.results["settings"] = {{"rounds", b.rounds},
                           {"warmup_s", absl::ToDoubleSeconds(b.warmup)},
                           {"duration_s", absl::ToDoubleSeconds(b.duration)}};
  b.results["machine"]["loadavg_1m_at_end"] = LoadAverage1();
  const std::string out_path = absl::GetFlag(FLAGS_json_out);
  std::ofstream out(out_path);
  out << b.results.dump(2) << "\n";
  Progress(out ? "JSON written to " + out_path : "cannot write " + out_path);
  return out ? 0 : 1;
}

}  // namespace
}  // namespace sslpanel::bench

int main(int argc, char** argv) {
  // The load generator's gRPC too (see ServerHost::Start).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sslpanel::config::ParseCommandLine(
      argc, argv,
      "sslpanel-bench [--rounds=3] [--only=p1,g2,claims,p2p3] [--json_out=FILE] ...; needs "
      "SSLPANEL_TEST_MYSQL=user:password@host:port (scripts/bench sets it)");
  try {
    return sslpanel::bench::Main();
  } catch (const sslpanel::bench::Failure& failure) {
    std::cerr << "sslpanel-bench: " << failure.message << std::endl;
    return 1;
  }
}
