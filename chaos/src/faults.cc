// The injectors that are more than a kill loop: R4 (the CA adapter away for
// a while), R5 (the replica holding leases killed), R6 (SIGTERM under load).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "chaos/src/context.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace sslpanel::chaos {
namespace {

// Sleeps `d` unless interrupted.
void Pause(absl::Duration d) {
  const absl::Time end = absl::Now() + d;
  while (absl::Now() < end && !Interrupted()) {
    absl::SleepFor(std::min(end - absl::Now(), absl::Milliseconds(100)));
  }
}

// The workflow's backoff (processor.cc): the wait after failure k is
// min(2^(k-1) s, retry_max) scaled by a jitter in [0.5, 1.5), never above
// retry_max. How many failures fit in `waited`, at the fastest and the
// slowest pace.
int FailuresWithin(double waited, double cap, bool fastest) {
  int failures = 1;  // the first attempt fails at once
  double t = 0;
  for (int k = 1; k < 10000; ++k) {
    const double step = std::min(std::pow(2.0, std::min(k - 1, 20)), cap);
    t += fastest ? 0.5 * step : std::min(1.5 * step, cap);
    if (t > waited) {
      break;
    }
    ++failures;
  }
  return failures;
}

}  // namespace

void InjectOutage(Context& ctx) {
  WaitFinished(ctx, ctx.lifecycles / 4);
  integration::RunningService& sandbox = ctx.system.sandbox();
  sandbox.process().Kill();
  const absl::Time down = absl::Now();
  ++ctx.result.faults;
  Pause(ctx.options.outage);
  const absl::Time back = absl::Now();
  ctx.ca_returns.push_back(back);
  if (absl::Status restarted = sandbox.Restart(/*kill_hard=*/false); !restarted.ok()) {
    ctx.Fail("the adapter did not come back: " + restarted.ToString());
    return;
  }
  ctx.after_settle = [&ctx, down, back] {
    // Deliveries to the CA that waited through the outage: attempts within
    // the bounds of the backoff (not hammering, not giving up), and done
    // within one backoff step of the adapter's return.
    auto rows = Query(ctx.system.workflow_db(),
                      absl::StrCat("SELECT id, created_at, updated_at, attempts, status FROM outbox"
                                   " WHERE kind <> 'PREVALIDATE' AND created_at < '",
                                   SqlTime(back), "' AND updated_at > '", SqlTime(down), "'"));
    if (!rows.ok()) {
      ctx.Fail("outbox not readable: " + rows.status().ToString());
      return;
    }
    const double cap = absl::ToDoubleSeconds(ctx.options.retry_max);
    int checked = 0, low = 1 << 30, high = 0, violations = 0;
    double slowest = 0;
    for (const auto& row : *rows) {
      const absl::Time created = ParseSqlTime(row[1]);
      const absl::Time done = ParseSqlTime(row[2]);
      int attempts = 0;
      (void)absl::SimpleAtoi(row[3], &attempts);
      if (row[4] != "DONE" || done < back || created >= back - absl::Seconds(1)) {
        // Unfinished ones are counted by the checks; rows finished before
        // the adapter returned were superseded (a cancel), never delivered.
        continue;
      }
      const double waited = absl::ToDoubleSeconds(back - std::max(created, down));
      const int failures = attempts - 1;
      const int most = FailuresWithin(waited + 1, cap, true) + 1;
      const int least = FailuresWithin(std::max(waited - 1, 0.0), cap, false) - 1;
      const double after = absl::ToDoubleSeconds(done - back);
      ++checked;
      low = std::min(low, failures);
      high = std::max(high, failures);
      slowest = std::max(slowest, after);
      if ((failures > most || failures < least || after > cap + 3) && ++violations > 3) {
        ++ctx.result.other;  // counted; the first three are described
      } else if (failures > most || failures < least || after > cap + 3) {
        ctx.Fail(absl::StrCat("outbox row ", row[0], " waited ", static_cast<int>(waited),
                              " s: ", failures, " failed attempts (bounds ", least, "..", most,
                              "), done ", absl::StrFormat("%.1f", after),
                              " s after the adapter returned (bound ", cap + 3, " s)"));
      }
    }
    ctx.result.notes.push_back(absl::StrCat(
        "outage ", absl::FormatDuration(back - down), ": ", checked,
        " CA deliveries waited through it; failed attempts ", checked > 0 ? low : 0, "..", high,
        "; last done ", absl::StrFormat("%.1f", slowest), " s after the adapter returned"));
  };
}

void InjectLeaseholderKill(Context& ctx) {
  const double lease = absl::ToDoubleSeconds(ctx.options.lease);
  for (int k = 1; k <= ctx.kills && !Interrupted(); ++k) {
    WaitFinished(ctx, k * ctx.lifecycles / (ctx.kills + 1));
    // The replica holding leases right now, and the rows it holds.
    std::map<std::string, std::vector<std::string>> held;
    const absl::Time look_until = absl::Now() + absl::Seconds(5);
    while (held.empty() && absl::Now() < look_until) {
      auto rows = Query(ctx.system.workflow_db(),
                        "SELECT id, lease_owner FROM outbox WHERE status = 'PENDING' AND"
                        " lease_owner IS NOT NULL AND due_at > UTC_TIMESTAMP(6)");
      if (rows.ok()) {
        for (const auto& row : *rows) {
          held[row[1]].push_back(row[0]);
        }
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    std::string owner = absl::StrCat("workflow-", k % 2);
    size_t most = 0;
    for (const auto& [name, ids] : held) {
      if (ids.size() > most) {
        owner = name;
        most = ids.size();
      }
    }
    int replica = 0;
    (void)absl::SimpleAtoi(owner.substr(owner.rfind('-') + 1), &replica);
    replica = std::clamp(replica, 0, 1);
    integration::RunningService& victim = ctx.system.workflow_process(replica);
    victim.process().Kill();
    const absl::Time killed = absl::Now();
    ++ctx.result.faults;
    // Taken over: every row it held finished by the other replica.
    const std::string ids = most > 0 ? absl::StrJoin(held[owner], ",") : "0";
    absl::Duration takeover = absl::InfiniteDuration();
    while (absl::Now() - killed < absl::Seconds(lease * 3 + 10) && !Interrupted()) {
      auto pending =
          Query(ctx.system.workflow_db(),
                "SELECT COUNT(*) FROM outbox WHERE status = 'PENDING' AND id IN (" + ids + ")");
      if (pending.ok() && (*pending)[0][0] == "0") {
        takeover = absl::Now() - killed;
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    if (takeover == absl::InfiniteDuration()) {
      ++ctx.result.never_recovered;
    } else if (most > 0) {
      ctx.result.recovery.push_back(takeover);  // a kill that held nothing proves nothing
    }
    if (takeover > absl::Seconds(lease + 2)) {
      ctx.Fail(absl::StrCat(owner, " killed holding ", most, " rows: taken over after ",
                            absl::FormatDuration(takeover), " (--lease ", lease, " s)"));
    }
    ctx.result.notes.push_back(
        absl::StrCat("kill ", k, ": ", owner, " held ", most, " rows, taken over in ",
                     absl::FormatDuration(absl::Trunc(takeover, absl::Milliseconds(1)))));
    if (absl::Status back = victim.Restart(/*kill_hard=*/true); !back.ok()) {
      ctx.Fail("restart failed: " + back.ToString());
      return;
    }
  }
}

void InjectSigterm(Context& ctx) {
  const absl::Duration grace = ctx.options.shutdown_grace;
  integration::RunningService& workflow = ctx.system.workflow_process(0);
  for (int k = 1; k <= ctx.kills && !Interrupted(); ++k) {
    WaitFinished(ctx, k * ctx.lifecycles / (ctx.kills + 1));
    // The plaintext health port (--health_listen) a kubelet would probe.
    // It is read from the command line: the harness passes it through.
    std::string target;
    std::ifstream cmdline(absl::StrCat("/proc/", workflow.process().pid(), "/cmdline"));
    for (std::string arg; std::getline(cmdline, arg, '\0');) {
      if (arg.rfind("--health_listen=", 0) == 0) {
        target = arg.substr(16);
      }
    }
    auto health = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
    std::atomic<bool> stop{false};
    absl::Time not_serving = absl::InfiniteFuture();
    absl::Time signalled = absl::InfiniteFuture();
    std::atomic<bool> sent{false};
    std::thread prober([&] {
      while (!stop && not_serving == absl::InfiniteFuture()) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
        grpc::health::v1::HealthCheckRequest request;
        grpc::health::v1::HealthCheckResponse response;
        grpc::Status status = health->Check(&context, request, &response);
        const bool serving =
            status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
        if (sent && !serving) {
          not_serving = absl::Now();
        }
        absl::SleepFor(absl::Milliseconds(5));
      }
    });
    absl::SleepFor(absl::Milliseconds(50));
    signalled = absl::Now();
    sent = true;
    kill(workflow.process().pid(), SIGTERM);
    ++ctx.result.faults;
    absl::StatusOr<int> code = workflow.process().Wait(grace + absl::Seconds(10));
    const absl::Duration exited = absl::Now() - signalled;
    stop = true;
    prober.join();
    if (not_serving - signalled > absl::Milliseconds(500)) {
      ctx.Fail(absl::StrCat("SIGTERM ", k, ": health not NOT_SERVING within 500 ms"));
    }
    if (!code.ok() || *code != 0 || exited > grace + absl::Seconds(1)) {
      ctx.Fail(absl::StrCat("SIGTERM ", k, ": exit ", code.ok() ? absl::StrCat(*code) : "none",
                            " after ", absl::FormatDuration(exited), " (--shutdown_grace ",
                            absl::FormatDuration(grace), ")"));
    }
    ctx.clock.Begin(absl::Now());
    if (absl::Status back = workflow.Restart(/*kill_hard=*/false); !back.ok()) {
      ctx.Fail("restart failed: " + back.ToString());
      return;
    }
  }
  ctx.after_settle = [&ctx] {
    // A client retrying with request ids may see UNAVAILABLE (and its own
    // deadline); anything else from a stopping server is a failure.
    for (const auto& [code, n] : ctx.client.Codes()) {
      if (code.rfind("UNAVAILABLE", 0) != 0 && code.rfind("DEADLINE_EXCEEDED", 0) != 0) {
        ctx.Fail(absl::StrCat(n, " x ", code, " seen by clients during SIGTERMs"));
      }
    }
  };
}

}  // namespace sslpanel::chaos
