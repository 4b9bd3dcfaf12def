// The six fault scenarios of issue 16 (R1-R6), each run on a fresh system
// (fresh databases, fresh processes) under its own load of lifecycles, then
// checked. R2 is two rows: the CA adapter and the prevalidation service.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "chaos/src/checks.h"
#include "chaos/src/mariadb.h"

namespace sslpanel::chaos {

struct ScenarioOptions {
  // < 0: the scenario's own default (R1/R2: 200 and 2,000; R3: 20 and 400;
  // R5: 5 and 300; R6: 20 and 400; R4: lifecycles 400).
  int kills = -1;
  int lifecycles = -1;
  int concurrency = 24;
  absl::Duration issue_delay = absl::Milliseconds(300);
  absl::Duration outage = absl::Minutes(2);          // R4
  absl::Duration retry_max = absl::Seconds(5);       // R4: the workflow's --retry_max
  absl::Duration lease = absl::Seconds(5);           // R5: the workflow's --lease
  absl::Duration shutdown_grace = absl::Seconds(2);  // R6
  absl::Duration settle = absl::Seconds(120);
  PrivateMariadb* mariadb = nullptr;
};

struct ScenarioResult {
  std::string name;
  std::string fault;  // what was injected, in words
  int64_t operations = 0;
  int64_t faults = 0;
  Verdict verdict;
  // Restart (or return) to the first successful call, per fault.
  std::vector<absl::Duration> recovery;
  int64_t never_recovered = 0;
  // Scenario-specific failures (codes a client must not see, a slow
  // takeover, retries outside the backoff bounds, an error of the driver).
  int64_t other = 0;
  std::vector<std::string> notes;
  absl::Duration took;
  bool Failed() const;
};

// "R1", "R2-ca", "R2-pv", "R3", "R4", "R5", "R6".
std::vector<std::string> AllScenarios();
ScenarioResult RunScenario(const std::string& name, const ScenarioOptions& options);

}  // namespace sslpanel::chaos
