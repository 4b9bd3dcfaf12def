// Builders for domain tests: orders in every reachable state, reached by
// applying real commands (never by setting fields), so a test state is one
// the service can really be in.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain::testing {

// The time every state is built before, and commands in tables apply at.
absl::Time ActionTime();
// ACTIVE certificates built for tables expire this long after ActionTime()
// (inside the default 90-day renewal window).
absl::Duration RemainingValidity();

Context At(absl::Time now, const std::string& actor = "test");

// The data of a new DV order for www.example.com, before CreateOrder.
Order DvOrderData();

// A DV order for www.example.com (no prevalidation), as created.
Order NewDvOrder(bool draft, absl::Time at);
// An OV order for www.example.nl by a Dutch company (prevalidation applies).
Order NewDutchOvOrder(absl::Time at);

// Applies a command that must succeed (test failure otherwise).
Order MustApply(const Order& order, int index, const Command& command, absl::Time at,
                std::vector<Event>* events = nullptr);

IssuedCertificate Issued(absl::Time not_before, absl::Time not_after);

// Named states the tables walk; the certificate under test is `target`.
struct StateCase {
  std::string name;  // e.g. "OPEN/REQUEST/AWAITING_CA"
  Order order;
  int target = 0;
};
std::vector<StateCase> AllStates();

}  // namespace sslpanel::workflow::domain::testing
