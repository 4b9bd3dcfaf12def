// The webhook dispatcher: follows the committed events through the EventFeed
// from its stored cursor and turns each event that matches a subscription
// into a delivery row, in one transaction with the cursor's advance. One
// replica dispatches at a time (a lease on the cursor row); the unique key
// (subscription, event) makes a replay after a lost lease harmless. The
// API's write path never touches subscribers.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/event_feed.h"
#include "workflow-service/src/app/webhook_metrics.h"
#include "workflow-service/src/app/webhook_ports.h"

namespace sslpanel::workflow::app {

struct DispatcherOptions {
  std::string owner;  // this replica, e.g. "hostname-pid"
  absl::Duration lease = absl::Seconds(15);
  int batch = 200;
  absl::Duration wait = absl::Seconds(1);  // longest sleep between looks
  // Shortest time between two batches: events committed meanwhile go out
  // together (a batch costs the same few round trips for one event as for
  // two hundred) instead of one batch per commit.
  absl::Duration min_interval = absl::Milliseconds(50);
};

// Whether `target` wants `event`: a later event of a listed type.
bool Matches(const DispatchTarget& target, const CommittedEvent& event);

class WebhookDispatcher {
 public:
  WebhookDispatcher(WebhookStore& store, EventFeed& feed, WebhookPayloadEncoder encode,
                    const Clock& clock, WebhookMetrics& metrics, DispatcherOptions options)
      : store_(store),
        feed_(feed),
        encode_(std::move(encode)),
        clock_(clock),
        metrics_(metrics),
        options_(std::move(options)) {}

  // One batch: with the lease, the events after the cursor become
  // deliveries and the cursor moves past them. Returns how far the cursor
  // moved in events covered (0: nothing new, or another replica holds the
  // lease). ABORTED when the lease was lost midway (nothing written).
  absl::StatusOr<int64_t> Step();

  // Steps until `stop` is set, sleeping on the feed when idle (at most
  // options.wait, so a stop or a lease change is noticed within it).
  void Run(const std::atomic<bool>& stop);

 private:
  WebhookStore& store_;
  EventFeed& feed_;
  WebhookPayloadEncoder encode_;
  const Clock& clock_;
  WebhookMetrics& metrics_;
  const DispatcherOptions options_;
  bool has_lease_ = false;  // at the last Step (Run's thread only)
  // The cursor after the last Step that held the lease, and whether that
  // Step read a full batch (more may be waiting). Run's thread only.
  int64_t position_ = 0;
  bool full_batch_ = false;
};

}  // namespace sslpanel::workflow::app
