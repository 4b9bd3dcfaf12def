// The ports webhook subscriptions and deliveries need: their store (MySQL
// in storage/), the check of a target URL and the HTTP POST (libcurl in
// webhooks/), and the payload encoder (protobuf JSON in grpc/). Status codes
// are stated per method.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow-service/src/app/event_feed.h"
#include "workflow-service/src/domain/webhook_delivery.h"

namespace sslpanel::workflow::app {

struct WebhookSubscription {
  int64_t id = 0;
  std::string url;
  std::vector<std::string> event_types;  // empty: all
  std::string description;
  bool paused = false;
  int64_t start_after_event_id = 0;  // only later events are delivered
  std::optional<absl::Time> previous_secret_expires_at;
  int64_t dead_deliveries = 0;
  absl::Time created_at;
  absl::Time updated_at;
};

struct NewSubscription {
  std::string url;
  std::vector<std::string> event_types;
  std::string description;
  bool paused = false;
};

// UpdateWebhookSubscription: only what is set changes.
struct SubscriptionChange {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> event_types;
  std::optional<std::string> description;
  std::optional<bool> paused;
  std::optional<std::string> new_secret;  // a rotation
  absl::Duration previous_secret_grace = absl::Hours(24);
};

// The idempotency record of a webhook RPC; a create or rotation keeps the
// secret it returned so that a replay returns it again.
struct WebhookRequest {
  std::string request_id;
  std::string method;
  std::string fingerprint;
  int64_t subscription_id = 0;
  int64_t delivery_id = 0;
  std::string secret;
};

struct WebhookDelivery {
  int64_t id = 0;
  int64_t subscription_id = 0;
  int64_t event_id = 0;
  int64_t order_id = 0;
  int64_t order_version = 0;
  std::string event_type;
  domain::DeliveryStatus status = domain::DeliveryStatus::kPending;
  int attempts = 0;
  std::optional<absl::Time> last_attempt_at;
  int last_http_status = 0;
  std::string last_error;
  absl::Time next_attempt_at;
  std::optional<absl::Time> dead_at;
  absl::Time created_at;
  std::optional<absl::Time> delivered_at;
  int64_t blocked_by_delivery_id = 0;  // PENDING behind a DEAD one
};

struct DeliveryQuery {
  int64_t subscription_id = 0;  // 0: all
  int64_t order_id = 0;         // 0: all
  std::optional<domain::DeliveryStatus> status;
  int64_t before_id = 0;  // keyset, newest first (0: from the newest)
  int limit = 100;
};

// What the dispatcher matches events against.
struct DispatchTarget {
  int64_t subscription_id = 0;
  std::vector<std::string> event_types;
  int64_t start_after_event_id = 0;
};

struct NewDelivery {
  int64_t subscription_id = 0;
  int64_t event_id = 0;
  int64_t order_id = 0;
  int64_t order_version = 0;
  std::string event_type;
  std::string payload;
  absl::Time event_recorded_at;
};

// A delivery claimed for one attempt.
struct ClaimedDelivery {
  int64_t id = 0;
  int64_t subscription_id = 0;
  // The attempt number the backoff counts with (1 = the first), this one
  // included: since the delivery was created or last redelivered.
  int attempts = 0;
  std::optional<absl::Time> dead_at;
  std::string url;
  std::string payload;
  std::vector<std::string> secrets;  // plaintext; current first, then a rotation's previous
  absl::Time created_at;
};

struct AttemptRecord {
  domain::DeliveryStatus status = domain::DeliveryStatus::kPending;
  absl::Time next_attempt_at;
  absl::Time dead_at;
  absl::Time attempted_at;
  int http_status = 0;
  std::string error;
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // Inserts the subscription with the request record, in one transaction
  // that holds the dispatch cursor, so `watermark()` (read inside it) is
  // the subscription's start: the dispatcher either saw none of it or sees
  // it with that start; `watermark()` must not wait (EventFeed::Watermark,
  // not WatermarkAfterOwnCommits). ALREADY_EXISTS when the request id was taken
  // concurrently.
  virtual absl::StatusOr<WebhookSubscription> CreateSubscription(
      const NewSubscription& subscription, const std::string& secret,
      const std::function<absl::StatusOr<int64_t>()>& watermark, const WebhookRequest& request,
      absl::Time now) = 0;
  // NOT_FOUND naming subscription_id (deleted ones too).
  virtual absl::StatusOr<WebhookSubscription> GetSubscription(int64_t id) = 0;
  // Oldest first, ids above `after_id`.
  virtual absl::StatusOr<std::vector<WebhookSubscription>> ListSubscriptions(int64_t after_id,
                                                                             int limit) = 0;
  virtual absl::StatusOr<WebhookSubscription> UpdateSubscription(int64_t id,
                                                                 const SubscriptionChange& change,
                                                                 const WebhookRequest& request,
                                                                 absl::Time now) = 0;
  // Marks it deleted and drops its undelivered (PENDING, DEAD) deliveries,
  // in bounded batches after the mark (Purge finishes a drop cut short).
  virtual absl::Status DeleteSubscription(int64_t id, const WebhookRequest& request,
                                          absl::Time now) = 0;
  virtual absl::StatusOr<std::optional<WebhookRequest>> FindRequest(
      const std::string& request_id) = 0;

  virtual absl::StatusOr<std::vector<WebhookDelivery>> ListDeliveries(
      const DeliveryQuery& query) = 0;
  // NOT_FOUND naming delivery_id.
  virtual absl::StatusOr<WebhookDelivery> GetDelivery(int64_t id) = 0;
  // PENDING and due now. Its attempt count is kept (the history operators
  // see); only the backoff starts again and the dead deadline is set afresh
  // at its next attempt.
  virtual absl::StatusOr<WebhookDelivery> Redeliver(int64_t id, const WebhookRequest& request,
                                                    absl::Time now) = 0;
  // DEAD -> DISMISSED; FAILED_PRECONDITION naming the state otherwise.
  virtual absl::StatusOr<WebhookDelivery> Dismiss(int64_t id, const WebhookRequest& request,
                                                  absl::Time now) = 0;

  // Takes or renews the dispatcher lease; false while another owner holds it.
  virtual absl::StatusOr<bool> AcquireDispatch(const std::string& owner, absl::Time now,
                                               absl::Duration lease) = 0;
  virtual absl::StatusOr<int64_t> DispatchPosition() = 0;
  // In one transaction: locks the cursor (ABORTED unless `owner` holds it
  // at `from`), reads the live subscriptions, inserts what `build` makes of
  // them (a delivery that exists already is kept) and moves the cursor to
  // `to`. Returns how many deliveries were new.
  virtual absl::StatusOr<int> Dispatch(const std::string& owner, int64_t from, int64_t to,
                                       const std::function<absl::StatusOr<std::vector<NewDelivery>>(
                                           const std::vector<DispatchTarget>&)>& build,
                                       absl::Time now) = 0;
  // The order as of `version` (the encoder's bytes), if still kept.
  virtual absl::StatusOr<std::optional<std::string>> GetSnapshot(int64_t order_id,
                                                                 int64_t version) = 0;

  // Claims due deliveries of live, unpaused subscriptions whose earlier
  // deliveries (same subscription and order) are all DELIVERED or
  // DISMISSED, pushing each forward by `lease`.
  virtual absl::StatusOr<std::vector<ClaimedDelivery>> ClaimDue(absl::Time now, int limit,
                                                                absl::Duration lease,
                                                                const std::string& owner) = 0;
  // Records an attempt on a PENDING delivery.
  virtual absl::Status FinishAttempt(int64_t id, const AttemptRecord& attempt) = 0;
  // Deletes, at most `limit` rows of each kind: snapshots and request
  // records older than their cutoffs, DELIVERED and DISMISSED deliveries
  // last changed before `finished_before`, and what is left of a deleted
  // subscription's undelivered ones. Returns how many rows went.
  virtual absl::StatusOr<int64_t> Purge(absl::Time snapshots_before, absl::Time requests_before,
                                        absl::Time finished_before, int limit) = 0;
};

// Whether a webhook may go to `url`: https, and its host resolves to
// allowed addresses only. INVALID_ARGUMENT naming `field`.
class WebhookTargetChecker {
 public:
  virtual ~WebhookTargetChecker() = default;
  virtual absl::Status Check(const std::string& field, const std::string& url) = 0;
};

struct WebhookPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Duration timeout = absl::Seconds(10);
};

struct WebhookAnswer {
  int http_status = 0;  // 0: no answer
  std::string error;    // why it failed (empty on 2xx)
};

// Sends one POST to an address checked at send time, no redirects.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual WebhookAnswer Post(const WebhookPost& post) = 0;
};

// The JSON body of one event's webhook: the event and the order as of it
// (`snapshot`: the encoder's bytes, nullopt when no longer kept).
using WebhookPayloadEncoder = std::function<absl::StatusOr<std::string>(
    const CommittedEvent& event, const std::optional<std::string>& snapshot)>;

}  // namespace sslpanel::workflow::app
