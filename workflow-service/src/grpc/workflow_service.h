// sslpanel.workflow.v1.WorkflowService on top of the workflow's use cases.
//
// Served on gRPC's callback API: gRPC's own fixed set of threads receives
// and sends, and each unary call's handler (which blocks on the MySQL
// connector) runs on a bounded executor sized to the database pool
// (grpc_util::Offload), so a call costs no thread of its own and no slow
// query stalls gRPC's threads. WorkflowHandlers holds the handlers, written
// as synchronous code. WatchOrderEvents, a server stream, is served by its
// own reactors (event_stream.h).
#pragma once

#include "common/grpc/offload.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"
#include "workflow-service/src/app/webhooks.h"
#include "workflow-service/src/app/workflow_app.h"

namespace sslpanel::workflow::grpc_api {

class EventStreams;

// The unary handlers: parse the request, run the use case, fill the response.
class WorkflowHandlers {
 public:
  explicit WorkflowHandlers(app::WorkflowApp& app) : app_(app) {}

  grpc::Status CreateOrder(grpc::ServerContextBase*, const v1::CreateOrderRequest*,
                           v1::CreateOrderResponse*);
  grpc::Status GetOrder(grpc::ServerContextBase*, const v1::GetOrderRequest*,
                        v1::GetOrderResponse*);
  grpc::Status ListOrders(grpc::ServerContextBase*, const v1::ListOrdersRequest*,
                          v1::ListOrdersResponse*);
  grpc::Status UpdateOrder(grpc::ServerContextBase*, const v1::UpdateOrderRequest*,
                           v1::UpdateOrderResponse*);
  grpc::Status SubmitOrder(grpc::ServerContextBase*, const v1::SubmitOrderRequest*,
                           v1::SubmitOrderResponse*);
  grpc::Status CancelCertificate(grpc::ServerContextBase*, const v1::CancelCertificateRequest*,
                                 v1::CancelCertificateResponse*);
  grpc::Status ReissueCertificate(grpc::ServerContextBase*, const v1::ReissueCertificateRequest*,
                                  v1::ReissueCertificateResponse*);
  grpc::Status RenewOrder(grpc::ServerContextBase*, const v1::RenewOrderRequest*,
                          v1::RenewOrderResponse*);
  grpc::Status OverridePrevalidation(grpc::ServerContextBase*,
                                     const v1::OverridePrevalidationRequest*,
                                     v1::OverridePrevalidationResponse*);
  grpc::Status GetWorkflow(grpc::ServerContextBase*, const v1::GetWorkflowRequest*,
                           v1::GetWorkflowResponse*);
  grpc::Status ListOrderEvents(grpc::ServerContextBase*, const v1::ListOrderEventsRequest*,
                               v1::ListOrderEventsResponse*);
  grpc::Status DecodeCsr(grpc::ServerContextBase*, const v1::DecodeCsrRequest*,
                         v1::DecodeCsrResponse*);
  grpc::Status ListProducts(grpc::ServerContextBase*, const v1::ListProductsRequest*,
                            v1::ListProductsResponse*);
  grpc::Status ListApproverEmails(grpc::ServerContextBase*, const v1::ListApproverEmailsRequest*,
                                  v1::ListApproverEmailsResponse*);
  grpc::Status ChangeDcvMethod(grpc::ServerContextBase*, const v1::ChangeDcvMethodRequest*,
                               v1::ChangeDcvMethodResponse*);
  grpc::Status ResendDcvEmail(grpc::ServerContextBase*, const v1::ResendDcvEmailRequest*,
                              v1::ResendDcvEmailResponse*);
  grpc::Status ResolveCaSubmission(grpc::ServerContextBase*, const v1::ResolveCaSubmissionRequest*,
                                   v1::ResolveCaSubmissionResponse*);

  // Webhooks (webhook_api.cc); FAILED_PRECONDITION until set_webhooks.
  void set_webhooks(app::WebhookApp* webhooks) { webhooks_ = webhooks; }
  grpc::Status CreateWebhookSubscription(grpc::ServerContextBase*,
                                         const v1::CreateWebhookSubscriptionRequest*,
                                         v1::CreateWebhookSubscriptionResponse*);
  grpc::Status GetWebhookSubscription(grpc::ServerContextBase*,
                                      const v1::GetWebhookSubscriptionRequest*,
                                      v1::GetWebhookSubscriptionResponse*);
  grpc::Status ListWebhookSubscriptions(grpc::ServerContextBase*,
                                        const v1::ListWebhookSubscriptionsRequest*,
                                        v1::ListWebhookSubscriptionsResponse*);
  grpc::Status UpdateWebhookSubscription(grpc::ServerContextBase*,
                                         const v1::UpdateWebhookSubscriptionRequest*,
                                         v1::UpdateWebhookSubscriptionResponse*);
  grpc::Status DeleteWebhookSubscription(grpc::ServerContextBase*,
                                         const v1::DeleteWebhookSubscriptionRequest*,
                                         v1::DeleteWebhookSubscriptionResponse*);
  grpc::Status ListWebhookDeliveries(grpc::ServerContextBase*,
                                     const v1::ListWebhookDeliveriesRequest*,
                                     v1::ListWebhookDeliveriesResponse*);
  grpc::Status RedeliverWebhook(grpc::ServerContextBase*, const v1::RedeliverWebhookRequest*,
                                v1::RedeliverWebhookResponse*);
  grpc::Status DismissWebhookDelivery(grpc::ServerContextBase*,
                                      const v1::DismissWebhookDeliveryRequest*,
                                      v1::DismissWebhookDeliveryResponse*);

 private:
  // Fills `out` from a use case's result, or returns its error.
  absl::Status Answer(const absl::StatusOr<app::OrderRecord>& record, v1::Order* out) const;

  app::WorkflowApp& app_;
  app::WebhookApp* webhooks_ = nullptr;
};

class WorkflowServiceImpl final : public v1::WorkflowService::CallbackService {
 public:
  // `threads`: the executor running the handlers; size it like the database
  // pool (a handler holds at most one connection at a time).
  explicit WorkflowServiceImpl(app::WorkflowApp& app, int threads = 8)
      : handlers_(app), executor_(threads) {}

  // The streams of WatchOrderEvents; without them it is UNIMPLEMENTED.
  void set_event_streams(EventStreams* streams) { event_streams_ = streams; }
  // In event_stream.cc.
  grpc::ServerWriteReactor<v1::WatchOrderEventsResponse>* WatchOrderEvents(
      grpc::CallbackServerContext* context, const v1::WatchOrderEventsRequest* request) override;

  grpc::ServerUnaryReactor* CreateOrder(grpc::CallbackServerContext* context,
                                        const v1::CreateOrderRequest* request,
                                        v1::CreateOrderResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::CreateOrder);
  }
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context,
                                     const v1::GetOrderRequest* request,
                                     v1::GetOrderResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::GetOrder);
  }
  grpc::ServerUnaryReactor* ListOrders(grpc::CallbackServerContext* context,
                                       const v1::ListOrdersRequest* request,
                                       v1::ListOrdersResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ListOrders);
  }
  grpc::ServerUnaryReactor* UpdateOrder(grpc::CallbackServerContext* context,
                                        const v1::UpdateOrderRequest* request,
                                        v1::UpdateOrderResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::UpdateOrder);
  }
  grpc::ServerUnaryReactor* SubmitOrder(grpc::CallbackServerContext* context,
                                        const v1::SubmitOrderRequest* request,
                                        v1::SubmitOrderResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::SubmitOrder);
  }
  grpc::ServerUnaryReactor* CancelCertificate(grpc::CallbackServerContext* context,
                                              const v1::CancelCertificateRequest* request,
                                              v1::CancelCertificateResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::CancelCertificate);
  }
  grpc::ServerUnaryReactor* ReissueCertificate(grpc::CallbackServerContext* context,
                                               const v1::ReissueCertificateRequest* request,
                                               v1::ReissueCertificateResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ReissueCertificate);
  }
  grpc::ServerUnaryReactor* RenewOrder(grpc::CallbackServerContext* context,
                                       const v1::RenewOrderRequest* request,
                                       v1::RenewOrderResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::RenewOrder);
  }
  grpc::ServerUnaryReactor* OverridePrevalidation(
      grpc::CallbackServerContext* context, const v1::OverridePrevalidationRequest* request,
      v1::OverridePrevalidationResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::OverridePrevalidation);
  }
  grpc::ServerUnaryReactor* GetWorkflow(grpc::CallbackServerContext* context,
                                        const v1::GetWorkflowRequest* request,
                                        v1::GetWorkflowResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::GetWorkflow);
  }
  grpc::ServerUnaryReactor* ListOrderEvents(grpc::CallbackServerContext* context,
                                            const v1::ListOrderEventsRequest* request,
                                            v1::ListOrderEventsResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ListOrderEvents);
  }
  grpc::ServerUnaryReactor* DecodeCsr(grpc::CallbackServerContext* context,
                                      const v1::DecodeCsrRequest* request,
                                      v1::DecodeCsrResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::DecodeCsr);
  }
  // Reads only the catalogue in memory: answered on gRPC's thread.
  grpc::ServerUnaryReactor* ListProducts(grpc::CallbackServerContext* context,
                                         const v1::ListProductsRequest* request,
                                         v1::ListProductsResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(handlers_.ListProducts(context, request, response));
    return reactor;
  }
  grpc::ServerUnaryReactor* ListApproverEmails(grpc::CallbackServerContext* context,
                                               const v1::ListApproverEmailsRequest* request,
                                               v1::ListApproverEmailsResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ListApproverEmails);
  }
  grpc::ServerUnaryReactor* ChangeDcvMethod(grpc::CallbackServerContext* context,
                                            const v1::ChangeDcvMethodRequest* request,
                                            v1::ChangeDcvMethodResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ChangeDcvMethod);
  }
  grpc::ServerUnaryReactor* ResendDcvEmail(grpc::CallbackServerContext* context,
                                           const v1::ResendDcvEmailRequest* request,
                                           v1::ResendDcvEmailResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ResendDcvEmail);
  }
  grpc::ServerUnaryReactor* ResolveCaSubmission(
      grpc::CallbackServerContext* context, const v1::ResolveCaSubmissionRequest* request,
      v1::ResolveCaSubmissionResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ResolveCaSubmission);
  }

  // Webhooks: without set_webhooks they answer FAILED_PRECONDITION.
  void set_webhooks(app::WebhookApp* webhooks) { handlers_.set_webhooks(webhooks); }
  grpc::ServerUnaryReactor* CreateWebhookSubscription(
      grpc::CallbackServerContext* context, const v1::CreateWebhookSubscriptionRequest* request,
      v1::CreateWebhookSubscriptionResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::CreateWebhookSubscription);
  }
  grpc::ServerUnaryReactor* GetWebhookSubscription(
      grpc::CallbackServerContext* context, const v1::GetWebhookSubscriptionRequest* request,
      v1::GetWebhookSubscriptionResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::GetWebhookSubscription);
  }
  grpc::ServerUnaryReactor* ListWebhookSubscriptions(
      grpc::CallbackServerContext* context, const v1::ListWebhookSubscriptionsRequest* request,
      v1::ListWebhookSubscriptionsResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ListWebhookSubscriptions);
  }
  grpc::ServerUnaryReactor* UpdateWebhookSubscription(
      grpc::CallbackServerContext* context, const v1::UpdateWebhookSubscriptionRequest* request,
      v1::UpdateWebhookSubscriptionResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::UpdateWebhookSubscription);
  }
  grpc::ServerUnaryReactor* DeleteWebhookSubscription(
      grpc::CallbackServerContext* context, const v1::DeleteWebhookSubscriptionRequest* request,
      v1::DeleteWebhookSubscriptionResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::DeleteWebhookSubscription);
  }
  grpc::ServerUnaryReactor* ListWebhookDeliveries(
      grpc::CallbackServerContext* context, const v1::ListWebhookDeliveriesRequest* request,
      v1::ListWebhookDeliveriesResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::ListWebhookDeliveries);
  }
  grpc::ServerUnaryReactor* RedeliverWebhook(grpc::CallbackServerContext* context,
                                             const v1::RedeliverWebhookRequest* request,
                                             v1::RedeliverWebhookResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::RedeliverWebhook);
  }
  grpc::ServerUnaryReactor* DismissWebhookDelivery(
      grpc::CallbackServerContext* context, const v1::DismissWebhookDeliveryRequest* request,
      v1::DismissWebhookDeliveryResponse* response) override {
    return Offload(context, request, response, &WorkflowHandlers::DismissWebhookDelivery);
  }

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* context, const Request* request,
                                    Response* response,
                                    grpc::Status (WorkflowHandlers::*handler)(
                                        grpc::ServerContextBase*, const Request*, Response*)) {
    return grpc_util::Offload(executor_, context, [this, context, request, response, handler] {
      return (handlers_.*handler)(context, request, response);
    });
  }

  WorkflowHandlers handlers_;
  EventStreams* event_streams_ = nullptr;
  grpc_util::BlockingExecutor executor_;  // last: joined before the handlers go
};

}  // namespace sslpanel::workflow::grpc_api
