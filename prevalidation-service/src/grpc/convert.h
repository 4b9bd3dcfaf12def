// Translation between the wire messages of sslpanel.prevalidation.v1 and
// the domain's structs: the only place that knows both.
#pragma once

#include "absl/status/statusor.h"
#include "domain/check.h"
#include "domain/request.h"
#include "sslpanel/prevalidation/v1/prevalidation.pb.h"

namespace sslpanel::prevalidation::grpc {

// The request in domain form. The CSR is decoded here; one that cannot be
// read is INVALID_ARGUMENT naming the field "csr". An enum value this build
// does not know reads as unspecified (and is refused by validation).
absl::StatusOr<domain::PrevalidationRequest> FromProto(
    const sslpanel::prevalidation::v1::PrevalidateRequest& request);

void ToProto(const domain::Report& report, sslpanel::prevalidation::v1::PrevalidationReport* out);

}  // namespace sslpanel::prevalidation::grpc
