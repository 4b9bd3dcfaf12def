// The console's client of sslpanel.workflow.v1.WorkflowService: the four
// read calls it makes, each with a deadline, answers as absl statuses. Takes
// the StubInterface so a test can hand in any stub.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"

namespace sslpanel::console::grpc_glue {

namespace v1 = ::sslpanel::workflow::v1;

class WorkflowClient {
 public:
  WorkflowClient(std::unique_ptr<v1::WorkflowService::StubInterface> stub, absl::Duration deadline)
      : stub_(std::move(stub)), deadline_(deadline) {}

  absl::StatusOr<v1::Order> GetOrder(const std::string& order_id);
  absl::StatusOr<v1::Order> GetOrderByExternalId(const std::string& external_order_id);
  absl::StatusOr<v1::ListOrdersResponse> ListOrders(const v1::ListOrdersRequest& request);
  absl::StatusOr<v1::GetWorkflowResponse> GetWorkflow(const std::string& order_id,
                                                      const std::string& certificate_id);

  struct History {
    std::vector<v1::Event> events;  // oldest first
    bool truncated = false;         // more than `max_events` exist
  };
  // Follows next_page_token until `max_events` are read, so one page view
  // costs a bounded number of calls.
  absl::StatusOr<History> ListOrderEvents(const std::string& order_id, int max_events);

 private:
  std::unique_ptr<v1::WorkflowService::StubInterface> stub_;
  absl::Duration deadline_;
};

}  // namespace sslpanel::console::grpc_glue
