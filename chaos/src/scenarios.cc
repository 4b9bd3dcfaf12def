#include "chaos/src/scenarios.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "chaos/src/context.h"

namespace sslpanel::chaos {
namespace {

// CA answers the workflow records: the first one after an adapter restart
// is the first successful call to it.
constexpr char kCaEvents[] =
    "'CA_ACCEPTED', 'CA_ISSUED', 'CA_REFUSED', 'CA_CANCEL_CONFIRMED', 'CA_REVOKE_CONFIRMED',"
    " 'CA_CANCELLED', 'CA_REVOKED', 'CANCEL_REFUSED'";

struct Spec {
  std::string fault;
  int kills;
  int lifecycles;
};

const std::map<std::string, Spec>& Specs() {
  static const auto* specs =
      new std::map<std::string, Spec>{{"R1", {"kill -9 workflow", 200, 2000}},
                                      {"R2-ca", {"kill -9 sandbox CA adapter", 200, 2000}},
                                      {"R2-pv", {"kill -9 prevalidation", 200, 2000}},
                                      {"R3", {"kill -9 mariadbd", 20, 400}},
                                      {"R4", {"CA adapter unreachable", 1, 400}},
                                      {"R5", {"kill -9 leaseholder of 2", 5, 300}},
                                      {"R6", {"SIGTERM workflow", 20, 400}}};
  return *specs;
}

// Recovery times read from the database: from each restart to the first
// row `sql_min` (a "SELECT MIN(t) ... WHERE t >= '%s'") finds after it.
void RecoveriesFromDb(Context& ctx, const std::vector<absl::Time>& restarts,
                      const std::string& sql_min) {
  for (absl::Time at : restarts) {
    auto rows = Query(ctx.system.workflow_db(), absl::StrFormat(sql_min.c_str(), SqlTime(at)));
    const absl::Time first =
        rows.ok() && !rows->empty() ? ParseSqlTime((*rows)[0][0]) : absl::InfinitePast();
    if (first == absl::InfinitePast()) {
      ++ctx.result.never_recovered;
    } else {
      ctx.result.recovery.push_back(first - at);
    }
  }
}

void Inject(const std::string& name, Context& ctx) {
  if (name == "R1") {
    KillRepeatedly(ctx, ctx.system.workflow_process(0),
                   [&](absl::Time at) { ctx.clock.Begin(at); });
  } else if (name == "R2-ca") {
    KillRepeatedly(ctx, ctx.system.sandbox(), [&](absl::Time at) { ctx.ca_returns.push_back(at); });
  } else if (name == "R2-pv") {
    KillRepeatedly(ctx, ctx.system.prevalidation(),
                   [&](absl::Time at) { ctx.pv_returns.push_back(at); });
  } else if (name == "R3") {
    for (int k = 1; k <= ctx.kills && !Interrupted(); ++k) {
      WaitFinished(ctx, k * ctx.lifecycles / (ctx.kills + 1));
      ctx.options.mariadb->KillHard();
      const absl::Time at = absl::Now();
      ctx.clock.Begin(at);
      ++ctx.result.faults;
      if (absl::Status back = ctx.options.mariadb->Restart(); !back.ok()) {
        ctx.Fail("mariadbd did not come back: " + back.ToString());
        return;
      }
    }
  } else if (name == "R4") {
    InjectOutage(ctx);
  } else if (name == "R5") {
    InjectLeaseholderKill(ctx);
  } else if (name == "R6") {
    InjectSigterm(ctx);
  }
}

}  // namespace

bool ScenarioResult::Failed() const {
  return verdict.lost + verdict.duplicated + verdict.dropped + verdict.illegal +
             verdict.unfinished + never_recovered + other >
         0;
}

std::vector<std::string> AllScenarios() { return {"R1", "R2-ca", "R2-pv", "R3", "R4", "R5", "R6"}; }

void WaitFinished(const Context& ctx, int count) {
  while (ctx.load.Finished() < count && !ctx.load.Done() && !Interrupted()) {
    absl::SleepFor(absl::Milliseconds(20));
  }
}

void KillRepeatedly(Context& ctx, integration::RunningService& service,
                    const std::function<void(absl::Time)>& restarted) {
  absl::Duration slowest;
  for (int k = 1; k <= ctx.kills && !Interrupted(); ++k) {
    WaitFinished(ctx, k * ctx.lifecycles / (ctx.kills + 1));
    service.process().Kill();
    const absl::Time at = absl::Now();
    restarted(at);
    ++ctx.result.faults;
    if (absl::Status back = service.Restart(/*kill_hard=*/true); !back.ok()) {
      ctx.Fail("restart failed: " + back.ToString());
      return;
    }
    slowest = std::max(slowest, absl::Now() - at);
  }
  ctx.result.notes.push_back(
      absl::StrCat("slowest restart to SERVING: ",
                   absl::FormatDuration(absl::Trunc(slowest, absl::Milliseconds(1)))));
}

ScenarioResult RunScenario(const std::string& name, const ScenarioOptions& options) {
  const absl::Time begin = absl::Now();
  ScenarioResult result;
  result.name = name;
  auto spec = Specs().find(name);
  if (spec == Specs().end()) {
    result.notes.push_back("unknown scenario " + name);
    ++result.other;
    return result;
  }
  result.fault = spec->second.fault;
  integration::SystemOptions system_options;
  // --call_budget bounds the adapter's idempotency lease (budget + 30 s): a
  // call in flight when the adapter dies keeps its key answering ABORTED
  // that long. The default (60 s, so 90 s) would stall every kill's orders
  // for 90 s; 5 s still exceeds the workflow's --call_timeout.
  system_options.sandbox_flags = {
      absl::StrCat("--issue_delay=", absl::FormatDuration(options.issue_delay)),
      "--call_budget=5s"};
  // Short leases and call deadlines so rows a dead process held come back
  // within seconds; the rest are the harness's fast loop settings.
  system_options.workflow_flags = {"--lease=3s", "--call_timeout=2s"};
  if (name == "R4") {
    system_options.workflow_flags.push_back(
        absl::StrCat("--retry_max=", absl::FormatDuration(options.retry_max)));
  } else if (name == "R5") {
    system_options.workflow_replicas = 2;
    system_options.workflow_flags = {
        absl::StrCat("--lease=", absl::FormatDuration(options.lease)),
        absl::StrCat("--call_timeout=",
                     absl::FormatDuration(std::min(absl::Seconds(2), options.lease / 2)))};
  } else if (name == "R6") {
    auto port = testing::PickFreePort();
    system_options.workflow_flags.push_back(
        absl::StrCat("--shutdown_grace=", absl::FormatDuration(options.shutdown_grace)));
    system_options.workflow_flags.push_back(absl::StrCat("--health_listen=127.0.0.1:", *port));
  }
  auto system = integration::System::Start(system_options);
  if (!system.ok()) {
    result.notes.push_back("system did not start: " + system.status().ToString());
    ++result.other;
    return result;
  }
  std::vector<std::string> targets;
  for (int i = 0; i < (*system)->workflow_replicas(); ++i) {
    targets.push_back((*system)->workflow_process(i).target());
  }
  RecoveryClock clock;
  Client client(targets, &clock);
  LoadOptions load_options;
  load_options.run = absl::AsciiStrToLower(name);
  load_options.run.erase(std::remove(load_options.run.begin(), load_options.run.end(), '-'),
                         load_options.run.end());
  load_options.lifecycles = options.lifecycles >= 0 ? options.lifecycles : spec->second.lifecycles;
  load_options.concurrency = options.concurrency;
  load_options.issue_delay = options.issue_delay;
  if (name == "R4") {
    // Orders wait out the outage; the callers wait with them.
    load_options.state_timeout = options.outage + absl::Seconds(90);
  }
  Load load(load_options, &client);
  Context ctx{options, **system, load, client, clock, result};
  ctx.kills = name == "R4" ? 1 : (options.kills >= 0 ? options.kills : spec->second.kills);
  ctx.lifecycles = load_options.lifecycles;
  load.Start();
  Inject(name, ctx);
  const std::vector<Lifecycle> lifecycles = load.Join();
  result.operations = load.Operations();
  if (!Settle((*system)->workflow_db(), options.settle)) {
    result.notes.push_back(
        absl::StrCat("not settled within ", absl::FormatDuration(options.settle)));
  }
  if (ctx.after_settle) {
    ctx.after_settle();
  }
  auto verdict = Check(lifecycles, client, (*system)->workflow_db(), (*system)->sandbox_db());
  if (!verdict.ok()) {
    ctx.Fail("checks could not run: " + verdict.status().ToString());
  } else {
    result.verdict = *verdict;
  }
  int never = 0;
  for (absl::Duration d : clock.Durations(&never)) {
    result.recovery.push_back(d);
  }
  result.never_recovered += never;
  RecoveriesFromDb(ctx, ctx.ca_returns,
                   absl::StrCat("SELECT MIN(recorded_at) FROM order_events WHERE type IN (",
                                kCaEvents, ") AND recorded_at >= '%s'"));
  RecoveriesFromDb(ctx, ctx.pv_returns,
                   "SELECT MIN(checked_at) FROM prevalidation_reports WHERE checked_at >= '%s'");
  int stopped = 0;
  std::map<std::string, int> why;  // reasons without the numbers that vary
  for (const Lifecycle& lc : lifecycles) {
    if (!lc.stopped.empty()) {
      ++stopped;
      std::string reason = lc.stopped.substr(0, 60);
      reason.erase(std::remove_if(reason.begin(), reason.end(), ::isdigit), reason.end());
      ++why[reason];
    }
  }
  for (const auto& [reason, n] : why) {
    result.notes.push_back(absl::StrCat("stopped early x", n, ": ", reason));
  }
  std::string codes;
  for (const auto& [code, n] : client.Codes()) {
    absl::StrAppend(&codes, codes.empty() ? "" : ", ", code, " ", n);
  }
  result.notes.push_back(absl::StrCat(lifecycles.size(), " lifecycles, ", stopped,
                                      " stopped early; ", client.Attempts(),
                                      " calls; errors seen: ", codes.empty() ? "none" : codes));
  result.took = absl::Now() - begin;
  return result;
}

}  // namespace sslpanel::chaos
