// Opaque resume tokens of WatchOrderEvents: a version, the installation id
// of the database (storage/installation.h) and the position in the event
// feed (an event id every replica shares). A token from another installation
// (another database: its ids mean other events) is refused instead of
// silently skipping or repeating. Pure absl, fuzzed with the page tokens.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace sslpanel::workflow::grpc_api {

std::string MakeResumeToken(const std::string& installation_id, int64_t position);
// INVALID_ARGUMENT on "resume_token" for text this service did not issue or
// a token of another installation.
absl::StatusOr<int64_t> ParseResumeToken(const std::string& token,
                                         const std::string& installation_id);

}  // namespace sslpanel::workflow::grpc_api
