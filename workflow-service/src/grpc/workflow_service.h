// sslpanel.workflow.v1.WorkflowService on top of the workflow's use cases.
#pragma once

#include "sslpanel/workflow/v1/workflow.grpc.pb.h"
#include "workflow-service/src/app/webhooks.h"
#include "workflow-service/src/app/workflow_app.h"

namespace sslpanel::workflow::grpc_api {

class EventStreams;

// WatchOrderEvents is served on gRPC's callback API (event_stream.h), the
// unary methods synchronously.
class WorkflowServiceImpl final : public v1::WorkflowService::WithCallbackMethod_WatchOrderEvents<
                                      v1::WorkflowService::Service> {
 public:
  explicit WorkflowServiceImpl(app::WorkflowApp& app) : app_(app) {}

  // The streams of WatchOrderEvents; without them it is UNIMPLEMENTED.
  void set_event_streams(EventStreams* streams) { event_streams_ = streams; }

  grpc::Status CreateOrder(grpc::ServerContext*, const v1::CreateOrderRequest*,
                           v1::CreateOrderResponse*) override;
  grpc::Status GetOrder(grpc::ServerContext*, const v1::GetOrderRequest*,
                        v1::GetOrderResponse*) override;
  grpc::Status ListOrders(grpc::ServerContext*, const v1::ListOrdersRequest*,
                          v1::ListOrdersResponse*) override;
  grpc::Status UpdateOrder(grpc::ServerContext*, const v1::UpdateOrderRequest*,
                           v1::UpdateOrderResponse*) override;
  grpc::Status SubmitOrder(grpc::ServerContext*, const v1::SubmitOrderRequest*,
                           v1::SubmitOrderResponse*) override;
  grpc::Status CancelCertificate(grpc::ServerContext*, const v1::CancelCertificateRequest*,
                                 v1::CancelCertificateResponse*) override;
  grpc::Status ReissueCertificate(grpc::ServerContext*, const v1::ReissueCertificateRequest*,
                                  v1::ReissueCertificateResponse*) override;
  grpc::Status RenewOrder(grpc::ServerContext*, const v1::RenewOrderRequest*,
                          v1::RenewOrderResponse*) override;
  grpc::Status OverridePrevalidation(grpc::ServerContext*, const v1::OverridePrevalidationRequest*,
                                     v1::OverridePrevalidationResponse*) override;
  grpc::Status GetWorkflow(grpc::ServerContext*, const v1::GetWorkflowRequest*,
                           v1::GetWorkflowResponse*) override;
  grpc::Status ListOrderEvents(grpc::ServerContext*, const v1::ListOrderEventsRequest*,
                               v1::ListOrderEventsResponse*) override;
  grpc::Status DecodeCsr(grpc::ServerContext*, const v1::DecodeCsrRequest*,
                         v1::DecodeCsrResponse*) override;
  grpc::Status ListProducts(grpc::ServerContext*, const v1::ListProductsRequest*,
                            v1::ListProductsResponse*) override;
  grpc::Status ListApproverEmails(grpc::ServerContext*, const v1::ListApproverEmailsRequest*,
                                  v1::ListApproverEmailsResponse*) override;
  grpc::Status ChangeDcvMethod(grpc::ServerContext*, const v1::ChangeDcvMethodRequest*,
                               v1::ChangeDcvMethodResponse*) override;
  grpc::Status ResendDcvEmail(grpc::ServerContext*, const v1::ResendDcvEmailRequest*,
                              v1::ResendDcvEmailResponse*) override;
  grpc::Status ResolveCaSubmission(grpc::ServerContext*, const v1::ResolveCaSubmissionRequest*,
                                   v1::ResolveCaSubmissionResponse*) override;
  // In event_stream.cc.
  grpc::ServerWriteReactor<v1::WatchOrderEventsResponse>* WatchOrderEvents(
      grpc::CallbackServerContext* context, const v1::WatchOrderEventsRequest* request) override;

  // Webhooks (webhook_api.cc); FAILED_PRECONDITION until set_webhooks.
  void set_webhooks(app::WebhookApp* webhooks) { webhooks_ = webhooks; }
  grpc::Status CreateWebhookSubscription(grpc::ServerContext*,
                                         const v1::CreateWebhookSubscriptionRequest*,
                                         v1::CreateWebhookSubscriptionResponse*) override;
  grpc::Status GetWebhookSubscription(grpc::ServerContext*,
                                      const v1::GetWebhookSubscriptionRequest*,
                                      v1::GetWebhookSubscriptionResponse*) override;
  grpc::Status ListWebhookSubscriptions(grpc::ServerContext*,
                                        const v1::ListWebhookSubscriptionsRequest*,
                                        v1::ListWebhookSubscriptionsResponse*) override;
  grpc::Status UpdateWebhookSubscription(grpc::ServerContext*,
                                         const v1::UpdateWebhookSubscriptionRequest*,
                                         v1::UpdateWebhookSubscriptionResponse*) override;
  grpc::Status DeleteWebhookSubscription(grpc::ServerContext*,
                                         const v1::DeleteWebhookSubscriptionRequest*,
                                         v1::DeleteWebhookSubscriptionResponse*) override;
  grpc::Status ListWebhookDeliveries(grpc::ServerContext*, const v1::ListWebhookDeliveriesRequest*,
                                     v1::ListWebhookDeliveriesResponse*) override;
  grpc::Status RedeliverWebhook(grpc::ServerContext*, const v1::RedeliverWebhookRequest*,
                                v1::RedeliverWebhookResponse*) override;
  grpc::Status DismissWebhookDelivery(grpc::ServerContext*,
                                      const v1::DismissWebhookDeliveryRequest*,
                                      v1::DismissWebhookDeliveryResponse*) override;

 private:
  // Fills `out` from a use case's result, or returns its error.
  absl::Status Answer(const absl::StatusOr<app::OrderRecord>& record, v1::Order* out) const;

  app::WorkflowApp& app_;
  app::WebhookApp* webhooks_ = nullptr;
  EventStreams* event_streams_ = nullptr;
};

}  // namespace sslpanel::workflow::grpc_api
