// The table scripts/chaos prints: one row per scenario, then what each row's
// failures were.
#pragma once

#include <string>
#include <vector>

#include "chaos/src/scenarios.h"

namespace sslpanel::chaos {

std::string FormatTable(const std::vector<ScenarioResult>& results);
std::string FormatNotes(const std::vector<ScenarioResult>& results);

}  // namespace sslpanel::chaos
