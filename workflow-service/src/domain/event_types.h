// Every event type the workflow writes into an order's history: the one list
// that filters (webhook subscriptions, WatchOrderEvents) are checked against.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sslpanel::workflow::domain {

// All event types, sorted.
const std::vector<std::string>& KnownEventTypes();

// True when `type` is one of KnownEventTypes().
bool IsKnownEventType(absl::string_view type);

// OK when every entry is a known type; else INVALID_ARGUMENT naming `field`
// and the first unknown type. (The same interface as the stream branch's
// copy of this file: at a merge, either side will do.)
absl::Status CheckEventTypes(absl::string_view field, const std::vector<std::string>& types);

}  // namespace sslpanel::workflow::domain
