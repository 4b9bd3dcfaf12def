#include "workflow-service/src/grpc/webhook_convert.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "nlohmann/json.hpp"
#include "workflow-service/src/grpc/convert.h"

namespace sslpanel::workflow::grpc_api {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
}

v1::WebhookDeliveryStatus ToProto(domain::DeliveryStatus status) {
  switch (status) {
    case domain::DeliveryStatus::kPending:
      return v1::WEBHOOK_DELIVERY_STATUS_PENDING;
    case domain::DeliveryStatus::kDelivered:
      return v1::WEBHOOK_DELIVERY_STATUS_DELIVERED;
    case domain::DeliveryStatus::kDead:
      return v1::WEBHOOK_DELIVERY_STATUS_DEAD;
    case domain::DeliveryStatus::kDismissed:
      return v1::WEBHOOK_DELIVERY_STATUS_DISMISSED;
  }
  return v1::WEBHOOK_DELIVERY_STATUS_UNSPECIFIED;
}

// The message as the gRPC API's JSON (every field, defaults included, so
// a receiver need not know proto3's omission rules), parsed for embedding.
absl::StatusOr<nlohmann::json> Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string text;
  const auto status = google::protobuf::util::MessageToJsonString(message, &text, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("JSON of ", message.GetTypeName(), ": ", status.message().as_string()));
  }
  return nlohmann::json::parse(text);
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

}  // namespace

void ToProto(const app::WebhookSubscription& s, v1::WebhookSubscription* out) {
  out->set_subscription_id(absl::StrCat(s.id));
  out->set_url(s.url);
  for (const std::string& type : s.event_types) {
    out->add_event_types(type);
  }
  out->set_description(s.description);
  out->set_paused(s.paused);
  SetTime(s.created_at, out->mutable_create_time());
  SetTime(s.updated_at, out->mutable_update_time());
  if (s.previous_secret_expires_at.has_value()) {
    SetTime(*s.previous_secret_expires_at, out->mutable_previous_secret_expire_time());
  }
  out->set_dead_deliveries(s.dead_deliveries);
}

void ToProto(const app::WebhookDelivery& d, v1::WebhookDelivery* out) {
  out->set_delivery_id(absl::StrCat(d.id));
  out->set_subscription_id(absl::StrCat(d.subscription_id));
  out->set_event_id(absl::StrCat(d.event_id));
  out->set_event_type(d.event_type);
  out->set_order_id(absl::StrCat(d.order_id));
  out->set_status(ToProto(d.status));
  out->set_attempts(d.attempts);
  if (d.last_attempt_at.has_value()) {
    SetTime(*d.last_attempt_at, out->mutable_last_attempt_time());
  }
  out->set_last_http_status(d.last_http_status);
  out->set_last_error(d.last_error);
  if (d.status == domain::DeliveryStatus::kPending) {
    SetTime(d.next_attempt_at, out->mutable_next_attempt_time());
  }
  if (d.dead_at.has_value()) {
    SetTime(*d.dead_at, out->mutable_dead_time());
  }
  SetTime(d.created_at, out->mutable_create_time());
  if (d.delivered_at.has_value()) {
    SetTime(*d.delivered_at, out->mutable_delivered_time());
  }
  if (d.blocked_by_delivery_id != 0) {
    out->set_blocked_by_delivery_id(absl::StrCat(d.blocked_by_delivery_id));
  }
}

std::string EncodeOrderSnapshot(const app::WorkflowApp& app, const app::OrderRecord& record) {
  v1::Order order;
  ToProto(record, app.RulesFor(record.order), record.order.updated_at, &order);
  return DeterministicBytes(order);
}

absl::StatusOr<std::string> WebhookPayload(const app::CommittedEvent& event,
                                           const std::optional<std::string>& snapshot) {
  v1::Event proto_event;
  ToProto(event.record, event.order_id, &proto_event);
  auto event_json = Json(proto_event);
  if (!event_json.ok()) {
    return event_json.status();
  }
  const std::string event_id = absl::StrCat(event.record.id);
  const std::string occur_time = Rfc3339(event.record.event.at);
  nlohmann::json data = {{"event_id", event_id},
                         {"type", event.record.event.type},
                         {"occur_time", occur_time},
                         {"event", *event_json}};
  if (snapshot.has_value()) {
    v1::Order order;
    if (order.ParseFromString(*snapshot)) {
      auto order_json = Json(order);
      if (!order_json.ok()) {
        return order_json.status();
      }
      data["order"] = *order_json;
    } else {
      log::Warning("order snapshot unreadable; webhook sent without the order",
                   {{"order_id", event.order_id}, {"version", event.order_version}});
    }
  }
  nlohmann::json body = {{"type", event.record.event.type},
                         {"timestamp", occur_time},
                         {"event_id", event_id},
                         {"occur_time", occur_time},
                         {"order_id", absl::StrCat(event.order_id)},
                         {"external_order_id", event.external_order_id},
                         {"order_version", absl::StrCat(event.order_version)},
                         {"data", std::move(data)}};
  return body.dump();
}

}  // namespace sslpanel::workflow::grpc_api
