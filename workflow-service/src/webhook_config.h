// The webhook flags (--webhook_*, --order_snapshot_retention), parsed in
// main and validated here, each refusal naming its flag.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow-service/src/domain/webhook_delivery.h"
#include "workflow-service/src/webhooks/curl_webhooks.h"

namespace sslpanel::workflow {

struct WebhookConfig {
  webhooks::TargetOptions targets;  // --webhook_allow_loopback, --webhook_ca_file
  domain::RetryPolicy retry;        // --webhook_retry_min/_max, --webhook_dead_after
  absl::Duration timeout = absl::Seconds(10);
  int workers = 4;
  absl::Duration snapshot_retention = absl::Hours(24 * 7);
  absl::Duration delivery_retention = absl::Hours(24 * 30);  // DELIVERED, DISMISSED
};

absl::StatusOr<WebhookConfig> WebhookConfigFromFlags();

}  // namespace sslpanel::workflow
