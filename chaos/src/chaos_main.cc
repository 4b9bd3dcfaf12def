// sslpanel-chaos: runs the whole local system under a load of order
// lifecycles, injects one fault scenario at a time (issue 16, R1-R6),
// checks the API and the databases after each, prints one table, and exits
// non-zero on any loss, duplicate, dropped intent, illegal transition or
// scenario failure. scripts/chaos builds and runs it.
//
//   sslpanel-chaos                                   # every scenario, full counts
//   sslpanel-chaos --scenario=R1 --kills=20 --lifecycles=200
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "chaos/src/report.h"
#include "chaos/src/scenarios.h"
#include "common/testing/subprocess.h"

ABSL_FLAG(std::string, scenario, "all",
          "comma-separated: R1, R2 (= R2-ca,R2-pv), R2-ca, R2-pv, R3, R4, R5, R6, or all");
ABSL_FLAG(int, kills, -1, "faults per scenario (default: R1/R2 200, R3 20, R5 5, R6 20)");
ABSL_FLAG(int, lifecycles, -1,
          "lifecycles per scenario (default: R1/R2 2000, R3/R4/R6 400, R5 300)");
ABSL_FLAG(int, concurrency, 24, "lifecycles in flight");
ABSL_FLAG(absl::Duration, issue_delay, absl::Milliseconds(300), "the sandbox CA's --issue_delay");
ABSL_FLAG(absl::Duration, outage, absl::Minutes(2), "R4: how long the CA adapter is away");
ABSL_FLAG(absl::Duration, retry_max, absl::Seconds(5), "R4: the workflow's --retry_max");
ABSL_FLAG(absl::Duration, lease, absl::Seconds(5), "R5: the workflow's --lease");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(2), "R6: the workflow's --shutdown_grace");
ABSL_FLAG(absl::Duration, settle, absl::Seconds(120),
          "after the load, how long orders may take to reach their end state");
ABSL_FLAG(std::string, work_dir, "",
          "the private MariaDB's data and the services' logs (default: a new temporary dir)");

namespace chaos = sslpanel::chaos;

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("sslpanel-chaos [--scenario=R1,R3] [--kills=N] [--lifecycles=N]");
  absl::ParseCommandLine(argc, argv);
  std::vector<std::string> scenarios;
  const std::vector<std::string> asked = absl::StrSplit(absl::GetFlag(FLAGS_scenario), ',');
  for (const std::string& s : asked) {
    if (s == "all") {
      scenarios = chaos::AllScenarios();
    } else if (s == "R2") {
      scenarios.push_back("R2-ca");
      scenarios.push_back("R2-pv");
    } else {
      const auto all = chaos::AllScenarios();
      if (std::find(all.begin(), all.end(), s) == all.end()) {
        std::cerr << "unknown scenario " << s << "\n";
        return 2;
      }
      scenarios.push_back(s);
    }
  }
  // SIGINT/SIGTERM end the run early but cleanly: the loops see the flag
  // and every process started is stopped by its PID on the way out.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::cerr << "interrupted: stopping what was started\n";
    chaos::Interrupt();
  }).detach();

  std::string dir = absl::GetFlag(FLAGS_work_dir);
  const bool temporary = dir.empty();
  if (temporary) {
    dir = sslpanel::testing::MakeTempDir("sslpanel-chaos-");
  }
  setenv("TMPDIR", dir.c_str(), 1);  // the services' logs go here too
  auto mariadb = chaos::PrivateMariadb::Start(dir + "/mariadb");
  if (!mariadb.ok()) {
    std::cerr << "private MariaDB: " << mariadb.status() << "\n";
    return 1;
  }
  chaos::ScenarioOptions options;
  options.kills = absl::GetFlag(FLAGS_kills);
  options.lifecycles = absl::GetFlag(FLAGS_lifecycles);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.issue_delay = absl::GetFlag(FLAGS_issue_delay);
  options.outage = absl::GetFlag(FLAGS_outage);
  options.retry_max = absl::GetFlag(FLAGS_retry_max);
  options.lease = absl::GetFlag(FLAGS_lease);
  options.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  options.settle = absl::GetFlag(FLAGS_settle);
  options.mariadb = mariadb->get();

  const absl::Time begin = absl::Now();
  std::vector<chaos::ScenarioResult> results;
  for (const std::string& name : scenarios) {
    if (chaos::Interrupted()) {
      break;
    }
    std::cerr << "==> " << name << "\n";
    results.push_back(chaos::RunScenario(name, options));
    std::cerr << chaos::FormatTable({results.back()});
  }
  mariadb->reset();
  std::cout << "\n" << chaos::FormatTable(results) << "\n" << chaos::FormatNotes(results);
  std::cout << "total " << absl::FormatDuration(absl::Trunc(absl::Now() - begin, absl::Seconds(1)))
            << "; logs and data in " << dir << "\n";
  bool failed = chaos::Interrupted() || results.size() < scenarios.size();
  for (const auto& r : results) {
    failed = failed || r.Failed();
  }
  if (temporary && !failed) {
    std::filesystem::remove_all(dir);
  }
  return failed ? 1 : 0;
}
