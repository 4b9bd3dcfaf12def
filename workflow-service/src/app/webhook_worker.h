// Webhook attempts: claims due deliveries (leases, as the outbox does),
// signs each attempt anew with the same webhook-id, POSTs it and records
// what the domain decides (delivered, retry after backoff, dead).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/webhook_metrics.h"
#include "workflow-service/src/app/webhook_ports.h"

namespace sslpanel::workflow::app {

struct WorkerOptions {
  std::string owner;
  domain::RetryPolicy retry;
  absl::Duration timeout = absl::Seconds(10);  // per attempt, connect included
  // Longer than an attempt can take: a worker that dies leaves its
  // deliveries due again when the lease runs out.
  absl::Duration lease() const { return timeout + absl::Seconds(30); }
};

class WebhookWorker {
 public:
  // `jitter` returns a number in [0, 1).
  WebhookWorker(WebhookStore& store, WebhookSender& sender, const Clock& clock,
                std::function<double()> jitter, WebhookMetrics& metrics, WorkerOptions options)
      : store_(store),
        sender_(sender),
        clock_(clock),
        jitter_(std::move(jitter)),
        metrics_(metrics),
        options_(std::move(options)) {}

  absl::StatusOr<std::vector<ClaimedDelivery>> Claim(int limit);
  // One attempt; the outcome is stored (a failure to store it leaves the
  // lease to run out, and the delivery is attempted again: at least once).
  void Attempt(const ClaimedDelivery& delivery);

 private:
  WebhookStore& store_;
  WebhookSender& sender_;
  const Clock& clock_;
  std::function<double()> jitter_;
  WebhookMetrics& metrics_;
  const WorkerOptions options_;
};

}  // namespace sslpanel::workflow::app
