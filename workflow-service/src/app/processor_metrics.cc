#include "workflow-service/src/app/processor_metrics.h"

namespace sslpanel::workflow::app {

ProcessorMetrics::ProcessorMetrics(prometheus::Registry& registry)
    : deliveries(prometheus::BuildCounter()
                     .Name("sslpanel_outbox_deliveries_total")
                     .Help("Outbox rows handled, by intent and result (recorded, retry, done, "
                           "cancelled, failed).")
                     .Register(registry)),
      status_checks(prometheus::BuildCounter()
                        .Name("sslpanel_ca_status_checks_total")
                        .Help("CA status checks, by adapter and result (changed, unchanged, "
                              "error, busy).")
                        .Register(registry)),
      key_conflicts(prometheus::BuildCounter()
                        .Name("sslpanel_ca_key_conflicts_total")
                        .Help("Calls a CA adapter refused because their idempotency key belongs "
                              "to another request (held, not retried), by adapter and intent.")
                        .Register(registry)),
      expired(prometheus::BuildCounter()
                  .Name("sslpanel_orders_expired_total")
                  .Help("Orders whose certificates were expired by the sweep.")
                  .Register(registry)
                  .Add({})),
      flagged_stuck(prometheus::BuildCounter()
                        .Name("sslpanel_orders_flagged_stuck_total")
                        .Help("Orders flagged stuck beyond their SLA.")
                        .Register(registry)
                        .Add({})),
      outbox_backlog(prometheus::BuildGauge()
                         .Name("sslpanel_outbox_backlog")
                         .Help("Outbox rows waiting for delivery (all replicas).")
                         .Register(registry)
                         .Add({})),
      stuck(prometheus::BuildGauge()
                .Name("sslpanel_orders_stuck")
                .Help("Orders flagged stuck now (all replicas).")
                .Register(registry)
                .Add({})) {}

}  // namespace sslpanel::workflow::app
