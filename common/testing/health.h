// Waits on the standard grpc.health.v1 service, as Kubernetes probes do.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace grpc {
class ChannelCredentials;
}  // namespace grpc

namespace sslpanel::testing {

// Polls grpc.health.v1.Health/Check for `service` ("" for the whole server)
// at `target` (host:port) until it answers SERVING; plaintext unless
// `credentials` are given.
absl::Status WaitForServing(const std::string& target, const std::string& service,
                            absl::Duration timeout = absl::Seconds(30),
                            std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace sslpanel::testing
