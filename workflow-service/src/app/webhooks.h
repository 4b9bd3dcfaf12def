// Webhook subscriptions and deliveries as use cases: the API's entry into
// them, with validation (naming the field), idempotent replays by
// request_id, and secrets made here and shown only in the answer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/crypto/keyring.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/event_feed.h"
#include "workflow-service/src/app/webhook_ports.h"
#include "workflow-service/src/app/workflow_app.h"

namespace sslpanel::workflow::app {

// A subscription with the secret an answer shows (empty when none).
struct SubscriptionAnswer {
  WebhookSubscription subscription;
  std::string secret;
};

class WebhookApp {
 public:
  WebhookApp(WebhookStore& store, EventFeed& feed, WebhookTargetChecker& targets,
             crypto::RandomBytes random, const Clock& clock)
      : store_(store), feed_(feed), targets_(targets), random_(std::move(random)), clock_(clock) {}

  absl::StatusOr<SubscriptionAnswer> Create(const NewSubscription& input, const Caller& caller);
  absl::StatusOr<WebhookSubscription> Get(int64_t id);
  absl::StatusOr<std::vector<WebhookSubscription>> List(int64_t after_id, int limit);
  // `change.new_secret` is ignored: `rotate` makes one.
  absl::StatusOr<SubscriptionAnswer> Update(int64_t id, SubscriptionChange change, bool rotate,
                                            const Caller& caller);
  absl::Status Delete(int64_t id, const Caller& caller);
  absl::StatusOr<std::vector<WebhookDelivery>> ListDeliveries(const DeliveryQuery& query);
  absl::StatusOr<WebhookDelivery> Redeliver(int64_t delivery_id, const Caller& caller);
  absl::StatusOr<WebhookDelivery> Dismiss(int64_t delivery_id, const Caller& caller);

 private:
  // The stored request of `caller.request_id`: nullopt when new,
  // ALREADY_EXISTS when it was used for a different request.
  absl::StatusOr<std::optional<WebhookRequest>> Replay(const Caller& caller);
  WebhookRequest RequestOf(const Caller& caller) const;
  // Runs `write`; when the request id was taken concurrently meanwhile,
  // answers with `replay` of the winner instead.
  template <typename T, typename Write, typename FromReplay>
  absl::StatusOr<T> Idempotent(const Caller& caller, Write write, FromReplay replay);

  WebhookStore& store_;
  EventFeed& feed_;
  WebhookTargetChecker& targets_;
  crypto::RandomBytes random_;
  const Clock& clock_;
};

// INVALID_ARGUMENT naming `field` for an unknown or repeated event type.
absl::Status ValidateEventTypes(const std::string& field, const std::vector<std::string>& types);

}  // namespace sslpanel::workflow::app
