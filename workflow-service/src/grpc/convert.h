// Conversion between the v1 API messages and the workflow's own types. The
// only place that knows both.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "sslpanel/workflow/v1/workflow.pb.h"
#include "workflow-service/src/app/products.h"
#include "workflow-service/src/app/records.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/grpc/page_token.h"

namespace sslpanel::workflow::grpc_api {

namespace v1 = ::sslpanel::workflow::v1;

// Parses an id field ("order_id", "certificate_id"); INVALID_ARGUMENT names it.
absl::StatusOr<int64_t> ParseId(const std::string& field, const std::string& text);
// An optional id: empty means not given.
absl::StatusOr<std::optional<int64_t>> ParseOptionalId(const std::string& field,
                                                       const std::string& text);

void ToProto(const app::OrderRecord& record, const domain::ProductRules& rules, absl::Time now,
             v1::Order* out);
void ToProto(const app::EventRecord& record, int64_t order_id, v1::Event* out);
void ToProto(const app::Product& product, v1::Product* out);
void ToProto(const app::WorkflowPicture& picture, v1::GetWorkflowResponse* out);
void ToProto(const app::DecodedCsr& csr, v1::DecodeCsrResponse* out);

std::optional<domain::DcvMethod> FromProto(v1::DcvMethod method);
domain::Organization FromProto(const v1::Organization& organization);
absl::StatusOr<std::vector<domain::DomainValidation>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::DomainValidation>& dcv);
absl::StatusOr<app::NewOrderInput> FromProto(const v1::CreateOrderRequest& request);
absl::StatusOr<app::EditInput> FromProto(const v1::UpdateOrderRequest& request);
absl::StatusOr<app::ListQuery> FromProto(const v1::ListOrdersRequest& request, absl::Time now);

// The filters a ListOrders page token is bound to (see page_token.h).
std::string ListFilters(const v1::ListOrdersRequest& request);

std::string Sha256Hex(const std::string& bytes);
// The message's deterministic serialization (stable field and map order).
std::string DeterministicBytes(const google::protobuf::Message& message);

// Hex SHA-256 of the request with its request_id cleared: the same request
// replayed has the same fingerprint.
template <typename Request>
std::string Fingerprint(const Request& request) {
  Request copy = request;
  copy.clear_request_id();
  return Sha256Hex(DeterministicBytes(copy));
}

}  // namespace sslpanel::workflow::grpc_api
