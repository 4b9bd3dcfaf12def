#include "workflow-service/src/app/webhook_metrics.h"

namespace sslpanel::workflow::app {
namespace {

// Seconds: 10 ms to a day (a delivery can wait for its receiver that long).
const prometheus::Histogram::BucketBoundaries& LagBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400};
  return *buckets;
}

}  // namespace

WebhookMetrics::WebhookMetrics(prometheus::Registry& registry)
    : attempts(prometheus::BuildCounter()
                   .Name("sslpanel_webhook_attempts_total")
                   .Help("Webhook POST attempts, by outcome (delivered, retry, dead).")
                   .Register(registry)),
      failures(prometheus::BuildCounter()
                   .Name("sslpanel_webhook_failures_total")
                   .Help("Failed webhook attempts, by kind (http: a non-2xx answer; transport: "
                         "no answer, timeout, refused address).")
                   .Register(registry)),
      dead(prometheus::BuildCounter()
               .Name("sslpanel_webhook_dead_total")
               .Help("Deliveries that became DEAD (each holds back its order's later ones).")
               .Register(registry)
               .Add({})),
      dispatched(prometheus::BuildCounter()
                     .Name("sslpanel_webhook_deliveries_created_total")
                     .Help("Delivery rows the dispatcher created.")
                     .Register(registry)
                     .Add({})),
      order_missing(prometheus::BuildCounter()
                        .Name("sslpanel_webhook_order_missing_total")
                        .Help("Events whose webhook body lacks data.order: the order's snapshot "
                              "was purged (--order_snapshot_retention) before dispatch.")
                        .Register(registry)
                        .Add({})),
      dispatch_lag(prometheus::BuildHistogram()
                       .Name("sslpanel_webhook_dispatch_lag_seconds")
                       .Help("From an event's time to its delivery rows.")
                       .Register(registry)
                       .Add({}, LagBuckets())),
      delivery_lag(prometheus::BuildHistogram()
                       .Name("sslpanel_webhook_delivery_lag_seconds")
                       .Help("From a delivery row's creation to its 2xx answer.")
                       .Register(registry)
                       .Add({}, LagBuckets())) {}

}  // namespace sslpanel::workflow::app
