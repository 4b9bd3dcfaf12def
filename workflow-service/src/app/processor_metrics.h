// What operators watch of the background processing: deliveries and CA
// checks by outcome, expiries, stuck orders, the outbox backlog. Registered
// in the registry main() (or a test) hands the processor.
#pragma once

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace sslpanel::workflow::app {

struct ProcessorMetrics {
  explicit ProcessorMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& deliveries;     // kind, result
  prometheus::Family<prometheus::Counter>& status_checks;  // adapter, result
  prometheus::Family<prometheus::Counter>& key_conflicts;  // adapter, kind
  prometheus::Counter& expired;
  prometheus::Counter& flagged_stuck;
  prometheus::Gauge& outbox_backlog;
  prometheus::Gauge& stuck;
};

}  // namespace sslpanel::workflow::app
