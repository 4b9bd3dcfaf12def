#include "workflow-service/src/app/webhook_dispatcher.h"

#include <algorithm>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::workflow::app {

bool Matches(const DispatchTarget& target, const CommittedEvent& event) {
  if (event.record.id <= target.start_after_event_id) {
    return false;
  }
  return target.event_types.empty() ||
         std::find(target.event_types.begin(), target.event_types.end(), event.record.event.type) !=
             target.event_types.end();
}

absl::StatusOr<int64_t> WebhookDispatcher::Step() {
  full_batch_ = false;
  auto mine = store_.AcquireDispatch(options_.owner, clock_.Now(), options_.lease);
  has_lease_ = mine.ok() && *mine;
  if (!has_lease_) {
    return mine.ok() ? absl::StatusOr<int64_t>(0) : mine.status();
  }
  auto position = store_.DispatchPosition();
  if (!position.ok()) {
    return position.status();
  }
  position_ = *position;
  auto batch = feed_.ReadAfter(*position, EventFilter{}, options_.batch);
  if (!batch.ok()) {
    return batch.status();
  }
  if (batch->through <= *position) {
    return 0;
  }
  const absl::Time now = clock_.Now();
  // One body per event whatever the number of subscribers; built only for
  // events some live subscription wants. Built here, before Dispatch's
  // transaction: reading the snapshots inside it would take a second pool
  // connection while the cursor row is locked.
  std::vector<DispatchTarget> known;
  for (int64_t after = 0;;) {
    auto page = store_.ListSubscriptions(after, 500);
    if (!page.ok()) {
      return page.status();
    }
    for (const WebhookSubscription& s : *page) {
      known.push_back(DispatchTarget{s.id, s.event_types, s.start_after_event_id});
      after = s.id;
    }
    if (page->size() < 500) {
      break;
    }
  }
  std::map<int64_t, std::string> bodies;
  for (const CommittedEvent& event : batch->events) {
    if (std::none_of(known.begin(), known.end(),
                     [&](const DispatchTarget& t) { return Matches(t, event); })) {
      continue;
    }
    auto snapshot = store_.GetSnapshot(event.order_id, event.order_version);
    if (!snapshot.ok()) {
      return snapshot.status();
    }
    if (!snapshot->has_value()) {
      // Purged (--order_snapshot_retention) before the dispatcher got here:
      // the body goes out without data.order.
      metrics_.order_missing.Increment();
      log::Warning("webhook body without data.order: the order's snapshot was purged",
                   {{"event_id", event.record.id},
                    {"order_id", event.order_id},
                    {"order_version", event.order_version}});
    }
    auto encoded = encode_(event, *snapshot);
    if (!encoded.ok()) {
      return encoded.status();
    }
    bodies.emplace(event.record.id, *std::move(encoded));
  }
  auto build =
      [&](const std::vector<DispatchTarget>& targets) -> absl::StatusOr<std::vector<NewDelivery>> {
    std::vector<NewDelivery> deliveries;
    for (const CommittedEvent& event : batch->events) {
      for (const DispatchTarget& target : targets) {
        if (!Matches(target, event)) {
          continue;
        }
        auto body = bodies.find(event.record.id);
        if (body == bodies.end()) {
          // A subscription that appeared since the listing wants it: the
          // next Step lists again (nothing is written by this one).
          return absl::AbortedError("the webhook subscriptions changed; read again");
        }
        NewDelivery delivery;
        delivery.subscription_id = target.subscription_id;
        delivery.event_id = event.record.id;
        delivery.order_id = event.order_id;
        delivery.order_version = event.order_version;
        delivery.event_type = event.record.event.type;
        delivery.payload = body->second;
        delivery.event_recorded_at = event.record.event.at;
        deliveries.push_back(std::move(delivery));
      }
    }
    return deliveries;
  };
  auto created = store_.Dispatch(options_.owner, *position, batch->through, build, now);
  if (!created.ok()) {
    return created.status();
  }
  metrics_.dispatched.Increment(*created);
  position_ = batch->through;
  full_batch_ = static_cast<int>(batch->events.size()) >= options_.batch;
  for (const CommittedEvent& event : batch->events) {
    if (bodies.count(event.record.id) > 0) {
      // The event's own time: for most events its commit; an expiry's is
      // the expiration date, so its lag reads as the sweep's delay too.
      metrics_.dispatch_lag.Observe(
          std::max(0.0, absl::ToDoubleSeconds(now - event.record.event.at)));
    }
  }
  return batch->through - *position;
}

void WebhookDispatcher::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const absl::Time started = clock_.Now();
    absl::StatusOr<int64_t> moved = Step();
    if (moved.ok() && *moved > 0) {
      if (full_batch_) {
        continue;  // more may be waiting
      }
      // Let the events of the next few commits gather into one batch.
      const absl::Duration left = started + options_.min_interval - clock_.Now();
      if (left > absl::ZeroDuration() && !stop.load()) {
        std::this_thread::sleep_for(absl::ToChronoMicroseconds(left));
      }
    }
    if (!moved.ok()) {
      log::Warning("webhook dispatch failed; retrying", {{"error", moved.status()}});
    }
    // Where the Step that held the lease left the cursor: only the lease
    // holder moves it (Dispatch checks both under the row lock).
    absl::StatusOr<int64_t> position =
        moved.ok() && has_lease_ ? absl::StatusOr<int64_t>(position_) : store_.DispatchPosition();
    const absl::Time deadline = clock_.Now() + options_.wait;
    if (position.ok() && moved.ok() && has_lease_) {
      // Returns as soon as a new event commits (or at the deadline).
      (void)feed_.WaitBeyond(*position, deadline);
    } else {
      // Another replica dispatches (or the database is away): look again
      // later, when its lease may have run out.
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(options_.wait));
    }
  }
}

}  // namespace sslpanel::workflow::app
