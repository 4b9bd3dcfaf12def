// The webhook RPCs of WorkflowService: request parsing (errors name the
// field), the use cases in app::WebhookApp, and the answers.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc/caller.h"
#include "common/grpc/status.h"
#include "workflow-service/src/grpc/convert.h"
#include "workflow-service/src/grpc/page_token.h"
#include "workflow-service/src/grpc/webhook_convert.h"
#include "workflow-service/src/grpc/workflow_service.h"

namespace sslpanel::workflow::grpc_api {
namespace {

constexpr int kMaxGraceSeconds = 604800;

template <typename Request>
app::Caller WebhookCaller(const grpc::ServerContextBase& context, const Request& request,
                          const char* method) {
  app::Caller caller;
  caller.identity = grpc_util::CallerOf(context).identity;
  caller.request_id = request.request_id();
  caller.method = method;
  caller.fingerprint = Fingerprint(request);
  return caller;
}

absl::StatusOr<int> PageSize(int32_t page_size) {
  if (page_size < 0 || page_size > 500) {
    return absl::InvalidArgumentError("page_size: must be 0..500 (0 means 100)");
  }
  return page_size == 0 ? 100 : page_size;
}

absl::Status NotConfigured() {
  return absl::FailedPreconditionError("webhooks are not configured on this server");
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return {values.begin(), values.end()};
}

}  // namespace

grpc::Status WorkflowHandlers::CreateWebhookSubscription(
    grpc::ServerContextBase* context, const v1::CreateWebhookSubscriptionRequest* request,
    v1::CreateWebhookSubscriptionResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  app::NewSubscription input;
  input.url = request->url();
  input.event_types = Strings(request->event_types());
  input.description = request->description();
  input.paused = request->paused();
  auto answer =
      webhooks_->Create(input, WebhookCaller(*context, *request, "CreateWebhookSubscription"));
  if (!answer.ok()) {
    return grpc_util::ToGrpc(answer.status(), "CreateWebhookSubscription");
  }
  ToProto(answer->subscription, response->mutable_subscription());
  response->set_secret(answer->secret);
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::GetWebhookSubscription(
    grpc::ServerContextBase*, const v1::GetWebhookSubscriptionRequest* request,
    v1::GetWebhookSubscriptionResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto id = ParseId("subscription_id", request->subscription_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  auto subscription = webhooks_->Get(*id);
  if (!subscription.ok()) {
    return grpc_util::ToGrpc(subscription.status(), "GetWebhookSubscription");
  }
  ToProto(*subscription, response->mutable_subscription());
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::ListWebhookSubscriptions(
    grpc::ServerContextBase*, const v1::ListWebhookSubscriptionsRequest* request,
    v1::ListWebhookSubscriptionsResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto limit = PageSize(request->page_size());
  if (!limit.ok()) {
    return grpc_util::ToGrpc(limit.status());
  }
  const std::string filters = "webhook-subscriptions";
  int64_t after = 0;
  if (!request->page_token().empty()) {
    auto parsed = ParsePageToken(request->page_token(), filters);
    if (!parsed.ok()) {
      return grpc_util::ToGrpc(parsed.status());
    }
    after = *parsed;
  }
  auto page = webhooks_->List(after, *limit + 1);
  if (!page.ok()) {
    return grpc_util::ToGrpc(page.status(), "ListWebhookSubscriptions");
  }
  const bool more = static_cast<int>(page->size()) > *limit;
  if (more) {
    page->resize(*limit);
  }
  for (const app::WebhookSubscription& s : *page) {
    ToProto(s, response->add_subscriptions());
  }
  if (more) {
    response->set_next_page_token(MakePageToken(page->back().id, filters));
  }
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::UpdateWebhookSubscription(
    grpc::ServerContextBase* context, const v1::UpdateWebhookSubscriptionRequest* request,
    v1::UpdateWebhookSubscriptionResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto id = ParseId("subscription_id", request->subscription_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  app::SubscriptionChange change;
  for (const std::string& path : request->update_mask().paths()) {
    if (path == "url") {
      change.url = request->url();
    } else if (path == "event_types") {
      change.event_types = Strings(request->event_types());
    } else if (path == "description") {
      change.description = request->description();
    } else if (path == "paused") {
      change.paused = request->paused();
    } else {
      return grpc_util::ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown path \"", path.substr(0, 64),
                       "\" (url, event_types, description, paused)")));
    }
  }
  const int32_t grace = request->previous_secret_grace_seconds();
  if (grace < 0 || grace > kMaxGraceSeconds) {
    return grpc_util::ToGrpc(absl::InvalidArgumentError(
        "previous_secret_grace_seconds: must be 0..604800 (0 means 86400)"));
  }
  change.previous_secret_grace = absl::Seconds(grace == 0 ? 86400 : grace);
  auto answer = webhooks_->Update(*id, change, request->rotate_secret(),
                                  WebhookCaller(*context, *request, "UpdateWebhookSubscription"));
  if (!answer.ok()) {
    return grpc_util::ToGrpc(answer.status(), "UpdateWebhookSubscription");
  }
  ToProto(answer->subscription, response->mutable_subscription());
  response->set_secret(answer->secret);
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::DeleteWebhookSubscription(
    grpc::ServerContextBase* context, const v1::DeleteWebhookSubscriptionRequest* request,
    v1::DeleteWebhookSubscriptionResponse*) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto id = ParseId("subscription_id", request->subscription_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  return grpc_util::ToGrpc(
      webhooks_->Delete(*id, WebhookCaller(*context, *request, "DeleteWebhookSubscription")),
      "DeleteWebhookSubscription");
}

grpc::Status WorkflowHandlers::ListWebhookDeliveries(
    grpc::ServerContextBase*, const v1::ListWebhookDeliveriesRequest* request,
    v1::ListWebhookDeliveriesResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto subscription = ParseOptionalId("subscription_id", request->subscription_id());
  if (!subscription.ok()) {
    return grpc_util::ToGrpc(subscription.status());
  }
  auto order = ParseOptionalId("order_id", request->order_id());
  if (!order.ok()) {
    return grpc_util::ToGrpc(order.status());
  }
  app::DeliveryQuery query;
  query.subscription_id = subscription->value_or(0);
  query.order_id = order->value_or(0);
  switch (request->status()) {
    case v1::WEBHOOK_DELIVERY_STATUS_UNSPECIFIED:
      break;
    case v1::WEBHOOK_DELIVERY_STATUS_PENDING:
      query.status = domain::DeliveryStatus::kPending;
      break;
    case v1::WEBHOOK_DELIVERY_STATUS_DELIVERED:
      query.status = domain::DeliveryStatus::kDelivered;
      break;
    case v1::WEBHOOK_DELIVERY_STATUS_DEAD:
      query.status = domain::DeliveryStatus::kDead;
      break;
    case v1::WEBHOOK_DELIVERY_STATUS_DISMISSED:
      query.status = domain::DeliveryStatus::kDismissed;
      break;
    default:
      return grpc_util::ToGrpc(absl::InvalidArgumentError("status: unknown value"));
  }
  auto limit = PageSize(request->page_size());
  if (!limit.ok()) {
    return grpc_util::ToGrpc(limit.status());
  }
  const std::string filters =
      absl::StrCat("webhook-deliveries-", query.subscription_id, "-", query.order_id, "-",
                   static_cast<int>(request->status()));
  if (!request->page_token().empty()) {
    auto parsed = ParsePageToken(request->page_token(), filters);
    if (!parsed.ok()) {
      return grpc_util::ToGrpc(parsed.status());
    }
    query.before_id = *parsed;
  }
  query.limit = *limit + 1;
  auto page = webhooks_->ListDeliveries(query);
  if (!page.ok()) {
    return grpc_util::ToGrpc(page.status(), "ListWebhookDeliveries");
  }
  const bool more = static_cast<int>(page->size()) > *limit;
  if (more) {
    page->resize(*limit);
  }
  for (const app::WebhookDelivery& d : *page) {
    ToProto(d, response->add_deliveries());
  }
  if (more) {
    response->set_next_page_token(MakePageToken(page->back().id, filters));
  }
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::RedeliverWebhook(grpc::ServerContextBase* context,
                                                const v1::RedeliverWebhookRequest* request,
                                                v1::RedeliverWebhookResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto id = ParseId("delivery_id", request->delivery_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  auto delivery = webhooks_->Redeliver(*id, WebhookCaller(*context, *request, "RedeliverWebhook"));
  if (!delivery.ok()) {
    return grpc_util::ToGrpc(delivery.status(), "RedeliverWebhook");
  }
  ToProto(*delivery, response->mutable_delivery());
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::DismissWebhookDelivery(
    grpc::ServerContextBase* context, const v1::DismissWebhookDeliveryRequest* request,
    v1::DismissWebhookDeliveryResponse* response) {
  if (webhooks_ == nullptr) {
    return grpc_util::ToGrpc(NotConfigured());
  }
  auto id = ParseId("delivery_id", request->delivery_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  auto delivery =
      webhooks_->Dismiss(*id, WebhookCaller(*context, *request, "DismissWebhookDelivery"));
  if (!delivery.ok()) {
    return grpc_util::ToGrpc(delivery.status(), "DismissWebhookDelivery");
  }
  ToProto(*delivery, response->mutable_delivery());
  return grpc::Status::OK;
}

}  // namespace sslpanel::workflow::grpc_api
