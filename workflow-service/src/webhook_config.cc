#include "workflow-service/src/webhook_config.h"

#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(bool, webhook_allow_loopback, false,
          "let webhook subscriptions target loopback addresses (127.0.0.0/8, ::1): local runs "
          "and tests only; private, link-local and other non-public addresses stay refused");
ABSL_FLAG(std::string, webhook_ca_file, "",
          "PEM CA bundle trusted for https webhook receivers besides the system store (e.g. a "
          "test receiver's self-signed CA)");
ABSL_FLAG(absl::Duration, webhook_retry_min, absl::Seconds(5),
          "wait after a webhook's first failed attempt; doubles per failure, with jitter");
ABSL_FLAG(absl::Duration, webhook_retry_max, absl::Hours(1),
          "longest wait between a webhook's attempts");
ABSL_FLAG(absl::Duration, webhook_dead_after, absl::Hours(24),
          "a webhook delivery still failing this long after its first attempt is DEAD (and "
          "holds back its order's later deliveries until redelivered or dismissed)");
ABSL_FLAG(absl::Duration, webhook_timeout, absl::Seconds(10),
          "deadline of one webhook POST, connect included");
ABSL_FLAG(int, webhook_workers, 4, "concurrent webhook POSTs per process");
ABSL_FLAG(absl::Duration, order_snapshot_retention, absl::Hours(24 * 7),
          "the order as of each event (webhook payloads, WatchOrderEvents include_order) is "
          "kept this long");

ABSL_FLAG(absl::Duration, webhook_delivery_retention, absl::Hours(24 * 30),
          "DELIVERED and DISMISSED webhook deliveries are deleted this long after their last "
          "change (PENDING and DEAD ones are kept)");

namespace sslpanel::workflow {

absl::StatusOr<WebhookConfig> WebhookConfigFromFlags() {
  WebhookConfig config;
  config.targets.allow_loopback = absl::GetFlag(FLAGS_webhook_allow_loopback);
  config.targets.ca_file = absl::GetFlag(FLAGS_webhook_ca_file);
  config.retry.retry_min = absl::GetFlag(FLAGS_webhook_retry_min);
  config.retry.retry_max = absl::GetFlag(FLAGS_webhook_retry_max);
  config.retry.dead_after = absl::GetFlag(FLAGS_webhook_dead_after);
  config.timeout = absl::GetFlag(FLAGS_webhook_timeout);
  config.workers = absl::GetFlag(FLAGS_webhook_workers);
  config.snapshot_retention = absl::GetFlag(FLAGS_order_snapshot_retention);
  config.delivery_retention = absl::GetFlag(FLAGS_webhook_delivery_retention);
  for (const auto& [flag, value] : std::vector<std::pair<const char*, absl::Duration>>{
           {"webhook_retry_min", config.retry.retry_min},
           {"webhook_retry_max", config.retry.retry_max},
           {"webhook_dead_after", config.retry.dead_after},
           {"webhook_timeout", config.timeout},
           {"order_snapshot_retention", config.snapshot_retention},
           {"webhook_delivery_retention", config.delivery_retention}}) {
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be positive"));
    }
  }
  if (config.retry.retry_min > config.retry.retry_max) {
    return absl::InvalidArgumentError("--webhook_retry_min must not exceed --webhook_retry_max");
  }
  if (config.workers < 1 || config.workers > 64) {
    return absl::InvalidArgumentError("--webhook_workers must be 1..64");
  }
  if (!config.targets.ca_file.empty() && !std::ifstream(config.targets.ca_file).good()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--webhook_ca_file: \"", config.targets.ca_file, "\" cannot be read"));
  }
  return config;
}

}  // namespace sslpanel::workflow
