#include "console/src/grpc/workflow_client.h"

#include <algorithm>
#include <chrono>

#include "common/grpc/status.h"

namespace sslpanel::console::grpc_glue {
namespace {

// Every call gets the same deadline, set here only.
void SetDeadline(grpc::ClientContext& context, absl::Duration deadline) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
}

}  // namespace

absl::StatusOr<v1::Order> WorkflowClient::GetOrder(const std::string& order_id) {
  v1::GetOrderRequest request;
  request.set_order_id(order_id);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  v1::GetOrderResponse response;
  absl::Status status = grpc_util::FromGrpc(stub_->GetOrder(&context, request, &response));
  if (!status.ok()) {
    return status;
  }
  return std::move(*response.mutable_order());
}

absl::StatusOr<v1::Order> WorkflowClient::GetOrderByExternalId(
    const std::string& external_order_id) {
  v1::GetOrderRequest request;
  request.set_external_order_id(external_order_id);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  v1::GetOrderResponse response;
  absl::Status status = grpc_util::FromGrpc(stub_->GetOrder(&context, request, &response));
  if (!status.ok()) {
    return status;
  }
  return std::move(*response.mutable_order());
}

absl::StatusOr<v1::ListOrdersResponse> WorkflowClient::ListOrders(
    const v1::ListOrdersRequest& request) {
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  v1::ListOrdersResponse response;
  absl::Status status = grpc_util::FromGrpc(stub_->ListOrders(&context, request, &response));
  if (!status.ok()) {
    return status;
  }
  return response;
}

absl::StatusOr<v1::GetWorkflowResponse> WorkflowClient::GetWorkflow(
    const std::string& order_id, const std::string& certificate_id) {
  v1::GetWorkflowRequest request;
  request.set_order_id(order_id);
  request.set_certificate_id(certificate_id);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  v1::GetWorkflowResponse response;
  absl::Status status = grpc_util::FromGrpc(stub_->GetWorkflow(&context, request, &response));
  if (!status.ok()) {
    return status;
  }
  return response;
}

absl::StatusOr<WorkflowClient::History> WorkflowClient::ListOrderEvents(const std::string& order_id,
                                                                        int max_events) {
  History history;
  std::string token;
  // Bounded: each round adds at least one event or ends.
  while (static_cast<int>(history.events.size()) < max_events) {
    v1::ListOrderEventsRequest request;
    request.set_order_id(order_id);
    request.set_page_size(std::min(500, max_events - static_cast<int>(history.events.size())));
    request.set_page_token(token);
    grpc::ClientContext context;
    SetDeadline(context, deadline_);
    v1::ListOrderEventsResponse response;
    absl::Status status = grpc_util::FromGrpc(stub_->ListOrderEvents(&context, request, &response));
    if (!status.ok()) {
      return status;
    }
    for (v1::Event& event : *response.mutable_events()) {
      history.events.push_back(std::move(event));
    }
    token = response.next_page_token();
    if (token.empty() || response.events_size() == 0) {
      return history;
    }
  }
  history.truncated = !token.empty();
  return history;
}

}  // namespace sslpanel::console::grpc_glue
