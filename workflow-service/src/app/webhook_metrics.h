// What operators watch of webhooks: attempts by outcome, failures, dead
// deliveries, and the two lags (event to delivery row, row to delivered).
#pragma once

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace sslpanel::workflow::app {

struct WebhookMetrics {
  explicit WebhookMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& attempts;  // outcome: delivered, retry, dead
  prometheus::Family<prometheus::Counter>& failures;  // kind: http, transport
  prometheus::Counter& dead;
  prometheus::Counter& dispatched;     // delivery rows created
  prometheus::Counter& order_missing;  // bodies without data.order (snapshot purged)
  prometheus::Histogram& dispatch_lag;
  prometheus::Histogram& delivery_lag;
};

}  // namespace sslpanel::workflow::app
