#include "workflow-service/src/grpc/workflow_service.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/grpc/authz.h"
#include "common/grpc/caller.h"
#include "common/grpc/status.h"
#include "workflow-service/src/grpc/convert.h"

namespace sslpanel::workflow::grpc_api {
namespace {

constexpr char kOperatorRole[] = "ops";

// The authenticated caller (from its client certificate, never a request
// field) with the free-text actor it chose and the idempotency facts.
template <typename Request>
app::Caller AppCaller(const grpc::ServerContextBase& context, const Request& request,
                      const char* method) {
  app::Caller caller;
  caller.actor = request.actor().empty() ? "api" : request.actor();
  caller.identity = grpc_util::CallerOf(context).identity;
  caller.request_id = request.request_id();
  caller.method = method;
  caller.fingerprint = Fingerprint(request);
  return caller;
}

// The order_id and certificate_id of a request, parsed in that order; an
// empty certificate_id is left to the use case to interpret.
struct CertificateRef {
  int64_t order_id = 0;
  std::optional<int64_t> certificate_id;
};

template <typename Request>
absl::StatusOr<CertificateRef> ParseCertificateRef(const Request& request) {
  auto order_id = ParseId("order_id", request.order_id());
  if (!order_id.ok()) {
    return order_id.status();
  }
  auto certificate_id = ParseOptionalId("certificate_id", request.certificate_id());
  if (!certificate_id.ok()) {
    return certificate_id.status();
  }
  return CertificateRef{*order_id, *certificate_id};
}

// The DCV actions the domain allows are offered only where the
// certificate's CA adapter declared them (as far as it is known: an adapter
// not asked yet keeps them, and the RPC names the capability if it lacks it).
void OfferOnlyWhatTheCaSupports(const app::WorkflowApp& app, v1::Order* order) {
  auto drop = [](google::protobuf::RepeatedField<int>* actions, v1::Action action) {
    actions->erase(std::remove(actions->begin(), actions->end(), action), actions->end());
  };
  bool change = false;
  bool resend = false;
  for (v1::Certificate& cert : *order->mutable_certificates()) {
    std::optional<app::CaCapabilities> caps = app.CachedCapabilities(cert.ca_adapter());
    if (caps.has_value() && !caps->supports_change_dcv_method) {
      drop(cert.mutable_allowed_actions(), v1::ACTION_CHANGE_DCV_METHOD);
    }
    if (caps.has_value() && !caps->supports_resend_dcv_email) {
      drop(cert.mutable_allowed_actions(), v1::ACTION_RESEND_DCV_EMAIL);
    }
    const auto& offered = cert.allowed_actions();
    change |=
        std::find(offered.begin(), offered.end(), v1::ACTION_CHANGE_DCV_METHOD) != offered.end();
    resend |=
        std::find(offered.begin(), offered.end(), v1::ACTION_RESEND_DCV_EMAIL) != offered.end();
  }
  if (!change) {
    drop(order->mutable_allowed_actions(), v1::ACTION_CHANGE_DCV_METHOD);
  }
  if (!resend) {
    drop(order->mutable_allowed_actions(), v1::ACTION_RESEND_DCV_EMAIL);
  }
}

}  // namespace

absl::Status WorkflowHandlers::Answer(const absl::StatusOr<app::OrderRecord>& record,
                                      v1::Order* out) const {
  if (!record.ok()) {
    return record.status();
  }
  ToProto(*record, app_.RulesFor(record->order), app_.Now(), out);
  OfferOnlyWhatTheCaSupports(app_, out);
  return absl::OkStatus();
}

grpc::Status WorkflowHandlers::CreateOrder(grpc::ServerContextBase* context,
                                           const v1::CreateOrderRequest* request,
                                           v1::CreateOrderResponse* response) {
  auto input = FromProto(*request);
  if (!input.ok()) {
    return grpc_util::ToGrpc(input.status());
  }
  return grpc_util::ToGrpc(
      Answer(app_.CreateOrder(*input, AppCaller(*context, *request, "CreateOrder")),
             response->mutable_order()),
      "CreateOrder");
}

grpc::Status WorkflowHandlers::GetOrder(grpc::ServerContextBase*,
                                        const v1::GetOrderRequest* request,
                                        v1::GetOrderResponse* response) {
  absl::StatusOr<app::OrderRecord> record;
  switch (request->key_case()) {
    case v1::GetOrderRequest::kOrderId: {
      auto id = ParseId("order_id", request->order_id());
      record = id.ok() ? app_.GetOrder(*id) : absl::StatusOr<app::OrderRecord>(id.status());
      break;
    }
    case v1::GetOrderRequest::kExternalOrderId:
      record = app_.GetOrderByExternalId(request->external_order_id());
      break;
    default:
      record = absl::InvalidArgumentError("order_id or external_order_id: one is required");
  }
  return grpc_util::ToGrpc(Answer(record, response->mutable_order()), "GetOrder");
}

grpc::Status WorkflowHandlers::ListOrders(grpc::ServerContextBase*,
                                          const v1::ListOrdersRequest* request,
                                          v1::ListOrdersResponse* response) {
  auto query = FromProto(*request, app_.Now());
  if (!query.ok()) {
    return grpc_util::ToGrpc(query.status());
  }
  auto page = app_.ListOrders(*query);
  if (!page.ok()) {
    return grpc_util::ToGrpc(page.status(), "ListOrders");
  }
  const absl::Time now = app_.Now();
  for (const app::OrderRecord& record : page->orders) {
    v1::Order* order = response->add_orders();
    ToProto(record, app_.RulesFor(record.order), now, order);
    OfferOnlyWhatTheCaSupports(app_, order);
  }
  if (page->more && !page->orders.empty()) {
    response->set_next_page_token(
        MakePageToken(page->orders.back().order.id, ListFilters(*request)));
  }
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::UpdateOrder(grpc::ServerContextBase* context,
                                           const v1::UpdateOrderRequest* request,
                                           v1::UpdateOrderResponse* response) {
  auto id = ParseId("order_id", request->order_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  auto edit = FromProto(*request);
  if (!edit.ok()) {
    return grpc_util::ToGrpc(edit.status());
  }
  return grpc_util::ToGrpc(
      Answer(app_.UpdateOrder(*id, *edit, AppCaller(*context, *request, "UpdateOrder")),
             response->mutable_order()),
      "UpdateOrder");
}

grpc::Status WorkflowHandlers::SubmitOrder(grpc::ServerContextBase* context,
                                           const v1::SubmitOrderRequest* request,
                                           v1::SubmitOrderResponse* response) {
  auto id = ParseId("order_id", request->order_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  return grpc_util::ToGrpc(
      Answer(app_.SubmitOrder(*id, AppCaller(*context, *request, "SubmitOrder")),
             response->mutable_order()),
      "SubmitOrder");
}

grpc::Status WorkflowHandlers::CancelCertificate(grpc::ServerContextBase* context,
                                                 const v1::CancelCertificateRequest* request,
                                                 v1::CancelCertificateResponse* response) {
  auto ref = ParseCertificateRef(*request);
  if (!ref.ok()) {
    return grpc_util::ToGrpc(ref.status());
  }
  return grpc_util::ToGrpc(
      Answer(app_.CancelCertificate(ref->order_id, ref->certificate_id, request->reason(),
                                    AppCaller(*context, *request, "CancelCertificate")),
             response->mutable_order()),
      "CancelCertificate");
}

grpc::Status WorkflowHandlers::ReissueCertificate(grpc::ServerContextBase* context,
                                                  const v1::ReissueCertificateRequest* request,
                                                  v1::ReissueCertificateResponse* response) {
  auto ref = ParseCertificateRef(*request);
  if (!ref.ok()) {
    return grpc_util::ToGrpc(ref.status());
  }
  app::ReissueInput input;
  input.certificate_id = ref->certificate_id;
  input.csr = request->csr();
  input.additional_names.assign(request->additional_names().begin(),
                                request->additional_names().end());
  auto dcv = FromProto(request->domain_validations());
  if (!dcv.ok()) {
    return grpc_util::ToGrpc(dcv.status());
  }
  input.domain_validations = *dcv;
  return grpc_util::ToGrpc(
      Answer(app_.ReissueCertificate(ref->order_id, input,
                                     AppCaller(*context, *request, "ReissueCertificate")),
             response->mutable_order()),
      "ReissueCertificate");
}

grpc::Status WorkflowHandlers::RenewOrder(grpc::ServerContextBase* context,
                                          const v1::RenewOrderRequest* request,
                                          v1::RenewOrderResponse* response) {
  auto id = ParseId("order_id", request->order_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  return grpc_util::ToGrpc(Answer(app_.RenewOrder(*id, request->csr(), request->period_months(),
                                                  AppCaller(*context, *request, "RenewOrder")),
                                  response->mutable_order()),
                           "RenewOrder");
}

grpc::Status WorkflowHandlers::OverridePrevalidation(
    grpc::ServerContextBase* context, const v1::OverridePrevalidationRequest* request,
    v1::OverridePrevalidationResponse* response) {
  auto id = ParseId("order_id", request->order_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  // The policy grants the RPC; an override also needs the operators' role
  // whatever a policy says (a wildcard grant too), when roles are in use
  // (--authz_policy_file). The role is the current policy's, not the one
  // the connection started under.
  if (grpc::Status operators = grpc_util::RequireRole(
          *context, "sslpanel.workflow.v1.WorkflowService/OverridePrevalidation", kOperatorRole);
      !operators.ok()) {
    return operators;
  }
  app::Caller caller = AppCaller(*context, *request, "OverridePrevalidation");
  // No "api" default: without mutual TLS the typed name is the only record
  // of the operator; with it, the certificate's identity is recorded.
  caller.actor = request->actor();
  return grpc_util::ToGrpc(
      Answer(app_.OverridePrevalidation(*id, request->reason(), caller), response->mutable_order()),
      "OverridePrevalidation");
}

grpc::Status WorkflowHandlers::GetWorkflow(grpc::ServerContextBase*,
                                           const v1::GetWorkflowRequest* request,
                                           v1::GetWorkflowResponse* response) {
  auto ref = ParseCertificateRef(*request);
  if (!ref.ok()) {
    return grpc_util::ToGrpc(ref.status());
  }
  auto picture = app_.GetWorkflow(ref->order_id, ref->certificate_id);
  if (!picture.ok()) {
    return grpc_util::ToGrpc(picture.status(), "GetWorkflow");
  }
  ToProto(*picture, response);
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::ListOrderEvents(grpc::ServerContextBase*,
                                               const v1::ListOrderEventsRequest* request,
                                               v1::ListOrderEventsResponse* response) {
  auto id = ParseId("order_id", request->order_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  if (request->page_size() < 0 || request->page_size() > 500) {
    return grpc_util::ToGrpc(absl::InvalidArgumentError("page_size: must be 0..500 (0 means 100)"));
  }
  const std::string filters = absl::StrCat("events-", *id);
  int64_t after = 0;
  if (!request->page_token().empty()) {
    auto parsed = ParsePageToken(request->page_token(), filters);
    if (!parsed.ok()) {
      return grpc_util::ToGrpc(parsed.status());
    }
    after = *parsed;
  }
  auto page = app_.ListEvents(*id, after, request->page_size() == 0 ? 100 : request->page_size());
  if (!page.ok()) {
    return grpc_util::ToGrpc(page.status(), "ListOrderEvents");
  }
  for (const app::EventRecord& event : page->events) {
    ToProto(event, *id, response->add_events());
  }
  if (page->more) {
    response->set_next_page_token(MakePageToken(page->events.back().id, filters));
  }
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::DecodeCsr(grpc::ServerContextBase*,
                                         const v1::DecodeCsrRequest* request,
                                         v1::DecodeCsrResponse* response) {
  auto csr = app_.DecodeCsr(request->csr());
  if (!csr.ok()) {
    return grpc_util::ToGrpc(csr.status(), "DecodeCsr");
  }
  ToProto(*csr, response);
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::ListProducts(grpc::ServerContextBase*,
                                            const v1::ListProductsRequest*,
                                            v1::ListProductsResponse* response) {
  for (const app::Product& product : app_.products().all()) {
    ToProto(product, response->add_products());
  }
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::ListApproverEmails(grpc::ServerContextBase*,
                                                  const v1::ListApproverEmailsRequest* request,
                                                  v1::ListApproverEmailsResponse* response) {
  auto id = ParseId("order_id", request->order_id());
  if (!id.ok()) {
    return grpc_util::ToGrpc(id.status());
  }
  auto emails = app_.ListApproverEmails(*id, request->host_name());
  if (!emails.ok()) {
    return grpc_util::ToGrpc(emails.status(), "ListApproverEmails");
  }
  response->set_host_name(request->host_name());
  for (const std::string& email : *emails) {
    response->add_approver_emails(email);
  }
  return grpc::Status::OK;
}

grpc::Status WorkflowHandlers::ChangeDcvMethod(grpc::ServerContextBase* context,
                                               const v1::ChangeDcvMethodRequest* request,
                                               v1::ChangeDcvMethodResponse* response) {
  auto ref = ParseCertificateRef(*request);
  if (!ref.ok()) {
    return grpc_util::ToGrpc(ref.status());
  }
  auto changes = FromProto(request->domain_validations());
  if (!changes.ok()) {
    return grpc_util::ToGrpc(changes.status());
  }
  return grpc_util::ToGrpc(
      Answer(app_.ChangeDcvMethod(ref->order_id, ref->certificate_id, *changes,
                                  AppCaller(*context, *request, "ChangeDcvMethod")),
             response->mutable_order()),
      "ChangeDcvMethod");
}

grpc::Status WorkflowHandlers::ResendDcvEmail(grpc::ServerContextBase* context,
                                              const v1::ResendDcvEmailRequest* request,
                                              v1::ResendDcvEmailResponse* response) {
  auto ref = ParseCertificateRef(*request);
  if (!ref.ok()) {
    return grpc_util::ToGrpc(ref.status());
  }
  return grpc_util::ToGrpc(
      Answer(app_.ResendDcvEmail(ref->order_id, ref->certificate_id, request->host_name(),
                                 AppCaller(*context, *request, "ResendDcvEmail")),
             response->mutable_order()),
      "ResendDcvEmail");
}

grpc::Status WorkflowHandlers::ResolveCaSubmission(grpc::ServerContextBase* context,
                                                   const v1::ResolveCaSubmissionRequest* request,
                                                   v1::ResolveCaSubmissionResponse* response) {
  auto ref = ParseCertificateRef(*request);
  if (!ref.ok()) {
    return grpc_util::ToGrpc(ref.status());
  }
  // As for an override: the operators' role whatever a policy says, when
  // roles are in use, from the current policy; the certificate's identity is
  // recorded, else the typed actor (no "api" default).
  if (grpc::Status operators = grpc_util::RequireRole(
          *context, "sslpanel.workflow.v1.WorkflowService/ResolveCaSubmission", kOperatorRole);
      !operators.ok()) {
    return operators;
  }
  app::Caller caller = AppCaller(*context, *request, "ResolveCaSubmission");
  caller.actor = request->actor();
  app::ResolutionInput input;
  input.certificate_id = ref->certificate_id;
  input.attach_ca_reference = request->attach_ca_reference();
  input.resubmit = request->resubmit();
  input.reason = request->reason();
  return grpc_util::ToGrpc(
      Answer(app_.ResolveCaSubmission(ref->order_id, input, caller), response->mutable_order()),
      "ResolveCaSubmission");
}

}  // namespace sslpanel::workflow::grpc_api
