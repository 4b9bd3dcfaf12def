// Every event type the workflow records (order_events.type, Event.type in
// the API), in one place: filters of WatchOrderEvents and of webhook
// subscriptions accept only these. A new event type is added here as well as
// where it is recorded.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sslpanel::workflow::domain {

// Sorted.
const std::vector<std::string>& KnownEventTypes();

bool IsKnownEventType(absl::string_view type);

// OK when every entry is a known type; else INVALID_ARGUMENT naming `field`
// and the first unknown type, e.g. `event_types: unknown event type
// "CA_ISSUE" (known: CANCELLED, ...)`.
absl::Status CheckEventTypes(absl::string_view field, const std::vector<std::string>& types);

}  // namespace sslpanel::workflow::domain
