// The webhook messages of the v1 API and the webhook body: subscriptions and
// deliveries to their protos, the order snapshot encoder Save uses, and the
// JSON payload built from an event and its snapshot in the gRPC API's JSON
// shape (protobuf JSON: lowerCamelCase, int64 as strings, enums by name).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "sslpanel/workflow/v1/workflow.pb.h"
#include "workflow-service/src/app/event_feed.h"
#include "workflow-service/src/app/webhook_ports.h"
#include "workflow-service/src/app/workflow_app.h"

namespace sslpanel::workflow::grpc_api {

namespace v1 = ::sslpanel::workflow::v1;

void ToProto(const app::WebhookSubscription& subscription, v1::WebhookSubscription* out);
void ToProto(const app::WebhookDelivery& delivery, v1::WebhookDelivery* out);

// The serialized v1.Order of `record` as GetOrder shows it at the time of
// its last change: what storage keeps per version (order_snapshots).
std::string EncodeOrderSnapshot(const app::WorkflowApp& app, const app::OrderRecord& record);

// The webhook body of `event`:
//   {"type", "timestamp", "event_id", "occur_time", "order_id",
//    "external_order_id", "order_version",
//    "data": {"event_id", "type", "occur_time", "order": <v1.Order JSON as
//             of the event>, "event": <v1.Event JSON>}}
// "order" is left out when the snapshot is no longer kept (or was never
// written, for events from before snapshots existed).
absl::StatusOr<std::string> WebhookPayload(const app::CommittedEvent& event,
                                           const std::optional<std::string>& snapshot);

}  // namespace sslpanel::workflow::grpc_api
