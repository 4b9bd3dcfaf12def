// Conversion between the sslpanel.ca.v1 messages and the domain types. The
// only place that knows both.
#pragma once

#include "absl/status/statusor.h"
#include "ca-adapter/src/domain/order.h"
#include "sslpanel/ca/v1/ca.pb.h"

namespace sslpanel::ca::grpc_api {

namespace v1 = ::sslpanel::ca::v1;

domain::SubmitCommand FromProto(const v1::SubmitOrderRequest& request);
domain::ReissueCommand FromProto(const v1::ReissueCertificateRequest& request);
domain::RenewCommand FromProto(const v1::RenewOrderRequest& request);
domain::CancelCommand FromProto(const v1::CancelOrderRequest& request);
// INVALID_ARGUMENT for a revocation reason this contract does not define.
absl::StatusOr<domain::RevokeCommand> FromProto(const v1::RevokeCertificateRequest& request);

domain::ChangeDcvCommand FromProto(const v1::ChangeDcvMethodRequest& request);
domain::ResendDcvEmailCommand FromProto(const v1::ResendDcvEmailRequest& request);
domain::ResolveSubmissionCommand FromProto(const v1::ResolveSubmissionRequest& request);

void ToProto(const domain::OrderStatus& status, v1::CaOrderStatus* out);
void ToProto(const domain::Capabilities& capabilities, v1::GetCapabilitiesResponse* out);

}  // namespace sslpanel::ca::grpc_api
