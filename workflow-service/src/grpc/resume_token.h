// Opaque resume tokens of WatchOrderEvents: a version, the installation id
// of the database (storage/installation.h), the position in the event feed
// (an event id every replica shares) and a fingerprint of the stream's
// filters. A token from another installation (another database: its ids
// mean other events) is refused instead of silently skipping or repeating;
// so is a token issued for other filters (a filtered stream's position
// passed over the events it did not want: resumed without the filter, or
// with another, it would skip those). Pure absl, fuzzed with the page
// tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sslpanel::workflow::grpc_api {

// A 64-bit fingerprint of the normalized filters: the same on every replica
// and every build (FNV-1a over a length-prefixed encoding, not absl::Hash,
// which is seeded per process). `types` sorted and de-duplicated.
uint64_t FilterFingerprint(int64_t order_id, std::string_view external_order_id,
                           const std::vector<std::string>& types);

std::string MakeResumeToken(const std::string& installation_id, int64_t position, uint64_t filters);
// INVALID_ARGUMENT on "resume_token" for text this service did not issue, a
// token of another installation or one issued for other filters.
absl::StatusOr<int64_t> ParseResumeToken(const std::string& token,
                                         const std::string& installation_id, uint64_t filters);

}  // namespace sslpanel::workflow::grpc_api
