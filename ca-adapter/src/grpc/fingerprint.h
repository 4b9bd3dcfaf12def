// The fingerprint that tells "the same request again" from "a different
// request with a reused key": SHA-256 over the RPC name and the request's
// deterministic serialization with the idempotency key cleared.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace sslpanel::ca::grpc_api {

// Lower-case hex SHA-256 (64 characters).
std::string Fingerprint(absl::string_view operation, const google::protobuf::Message& request);

}  // namespace sslpanel::ca::grpc_api
