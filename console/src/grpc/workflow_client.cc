#include "console/src/grpc/workflow_client.h"

#include <algorithm>
#include <chrono>

#include "common/grpc/status.h"

namespace sslpanel::console::grpc_glue {
namespace {

using Stub = v1::WorkflowService::StubInterface;

// One unary call with the client's deadline, set here only, and its status
// in absl's terms.
template <typename Request, typename Response>
absl::StatusOr<Response> Unary(Stub& stub,
                               grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                            Response*),
                               const Request& request, absl::Duration deadline) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
  Response response;
  if (absl::Status status = grpc_util::FromGrpc((stub.*method)(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

absl::StatusOr<v1::Order> OrderOf(absl::StatusOr<v1::GetOrderResponse> response) {
  if (!response.ok()) {
    return response.status();
  }
  return std::move(*response->mutable_order());
}

}  // namespace

absl::StatusOr<v1::Order> WorkflowClient::GetOrder(const std::string& order_id) {
  v1::GetOrderRequest request;
  request.set_order_id(order_id);
  return OrderOf(Unary(*stub_, &Stub::GetOrder, request, deadline_));
}

absl::StatusOr<v1::Order> WorkflowClient::GetOrderByExternalId(
    const std::string& external_order_id) {
  v1::GetOrderRequest request;
  request.set_external_order_id(external_order_id);
  return OrderOf(Unary(*stub_, &Stub::GetOrder, request, deadline_));
}

absl::StatusOr<v1::ListOrdersResponse> WorkflowClient::ListOrders(
    const v1::ListOrdersRequest& request) {
  return Unary(*stub_, &Stub::ListOrders, request, deadline_);
}

absl::StatusOr<v1::GetWorkflowResponse> WorkflowClient::GetWorkflow(
    const std::string& order_id, const std::string& certificate_id) {
  v1::GetWorkflowRequest request;
  request.set_order_id(order_id);
  request.set_certificate_id(certificate_id);
  return Unary(*stub_, &Stub::GetWorkflow, request, deadline_);
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
    auto response = Unary(*stub_, &Stub::ListOrderEvents, request, deadline_);
    if (!response.ok()) {
      return response.status();
    }
    for (v1::Event& event : *response->mutable_events()) {
      history.events.push_back(std::move(event));
    }
    token = response->next_page_token();
    if (token.empty() || response->events_size() == 0) {
      return history;
    }
  }
  history.truncated = !token.empty();
  return history;
}

}  // namespace sslpanel::console::grpc_glue
