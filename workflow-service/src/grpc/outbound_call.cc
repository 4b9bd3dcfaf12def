#include "workflow-service/src/grpc/outbound_call.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "common/grpc/status.h"
#include "common/time/deadline.h"
#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::grpc_api {

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// `timeout` from now, but no later than the deadline of the call this
// thread works for (ScopedDeadline: a handler's caller), so a CA call made
// from a handler (approver e-mails, DCV checks, capability lookups) gives
// up when its caller has.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  const absl::Time deadline = std::min(absl::Now() + timeout, ScopedDeadline::Current());
  context.set_deadline(absl::ToChronoTime(deadline));
}

// A call's failure, with the CA's retry-after when it sent one.
absl::Status Failure(const grpc::Status& status, const grpc::ClientContext& context) {
  absl::Status failure = grpc_util::FromGrpc(status);
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("retry-after-seconds");
  if (it != trailers.end()) {
    failure.SetPayload(app::kRetryAfterPayload,
                       absl::Cord(std::string(it->second.data(), it->second.size())));
  }
  // The two hold trailers (ca.proto): the workflow shows them on the
  // certificate. Only with a retryable code, as the contract sends them.
  if (!failure.ok()) {
    for (const auto& [trailer, payload] :
         {std::pair<const char*, const char*>{"ca-outcome-unknown", app::kOutcomeUnknownPayload},
          std::pair<const char*, const char*>{"ca-account-problem", app::kAccountProblemPayload}}) {
      auto hold = trailers.find(trailer);
      if (hold != trailers.end()) {
        failure.SetPayload(payload,
                           absl::Cord(std::string(hold->second.data(), hold->second.size())));
      }
    }
  }
  return failure;
}

}  // namespace sslpanel::workflow::grpc_api
