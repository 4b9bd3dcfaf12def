// The one place where absl::Status and grpc::Status meet.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sslpanel::grpc_util {

// Converts a service-internal status for the wire. INTERNAL and UNKNOWN
// details are logged (with `rpc`) and replaced by a generic message, so no
// implementation detail reaches a caller.
grpc::Status ToGrpc(const absl::Status& status, absl::string_view rpc = "");

// Converts an answer from a peer into a service-internal status.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace sslpanel::grpc_util
