// Opaque page tokens for the list calls: the last id of the page and a hash
// of the filters, so a token used with other filters is refused instead of
// silently skipping. Kept apart from the proto conversions (pure absl) so the
// parser of this client-supplied text can be fuzzed on its own.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace sslpanel::workflow::grpc_api {

std::string MakePageToken(int64_t last_id, const std::string& filters);
// INVALID_ARGUMENT on "page_token" for text this service did not issue or a
// token made for other filters.
absl::StatusOr<int64_t> ParsePageToken(const std::string& token, const std::string& filters);

}  // namespace sslpanel::workflow::grpc_api
