// What a scenario's fault injector works with while its load runs: the
// system, the load, the client and where its figures go.
#pragma once

#include <functional>
#include <vector>

#include "chaos/src/client.h"
#include "chaos/src/lifecycles.h"
#include "chaos/src/scenarios.h"
#include "integration-tests/system.h"

namespace sslpanel::chaos {

struct Context {
  const ScenarioOptions& options;
  integration::System& system;
  Load& load;
  Client& client;
  RecoveryClock& clock;
  ScenarioResult& result;
  int kills = 0;
  int lifecycles = 0;
  // Restarts whose recovery shows in the database rather than at the
  // client: the first CA answer recorded, the first prevalidation report.
  std::vector<absl::Time> ca_returns;
  std::vector<absl::Time> pv_returns;
  // Checks of the scenario's own promises, run after the load has settled.
  std::function<void()> after_settle;

  void Fail(const std::string& note) {
    ++result.other;
    result.notes.push_back(note);
  }
};

// Waits until `count` lifecycles have finished (or the load is done, or an
// interrupt): faults are spread over the load by its progress.
void WaitFinished(const Context& ctx, int count);

// Kill -9 and restart `service` `ctx.kills` times, spread over the load;
// `restarted(at)` records each restart.
void KillRepeatedly(Context& ctx, integration::RunningService& service,
                    const std::function<void(absl::Time)>& restarted);

void InjectOutage(Context& ctx);           // R4
void InjectLeaseholderKill(Context& ctx);  // R5
void InjectSigterm(Context& ctx);          // R6

}  // namespace sslpanel::chaos
