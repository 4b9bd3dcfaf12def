// What the outbound clients (outbound.cc, outbound_prevalidation.cc) share
// on every call: its deadline, and its failure as a status. Internal to the
// gRPC layer.
#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sslpanel::workflow::grpc_api {

absl::Time FromTimestamp(const google::protobuf::Timestamp& t);

// `timeout` from now, but no later than the deadline of the call this
// thread works for (ScopedDeadline: a handler's caller), so a CA call made
// from a handler (approver e-mails, DCV checks, capability lookups) gives
// up when its caller has.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

// A call's failure, with the CA's retry-after when it sent one, and the CA's
// hold trailers as the app's payloads.
absl::Status Failure(const grpc::Status& status, const grpc::ClientContext& context);

}  // namespace sslpanel::workflow::grpc_api
