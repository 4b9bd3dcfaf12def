// List page tokens and WatchOrderEvents resume tokens: opaque to clients, but
// they send them back as they like. A token that parses must be the one
// MakePageToken (MakeResumeToken) gives for its id (position).
#include <cstdlib>

#include "fuzz/fuzz.h"
#include "workflow-service/src/grpc/page_token.h"
#include "workflow-service/src/grpc/resume_token.h"

SSLPANEL_FUZZ_TARGET {
  using namespace sslpanel::workflow::grpc_api;
  const std::string token = sslpanel::fuzz::Text(data, size);
  for (const char* filters : {"0123456789abcdef", "events-1", ""}) {
    absl::StatusOr<int64_t> id = ParsePageToken(token, filters);
    if (id.ok() && (*id <= 0 || !ParsePageToken(MakePageToken(*id, filters), filters).ok())) {
      std::abort();
    }
    const uint64_t fingerprint = FilterFingerprint(0, filters, {});
    absl::StatusOr<int64_t> position = ParseResumeToken(token, filters, fingerprint);
    if (position.ok() &&
        (*position < 0 ||
         ParseResumeToken(MakeResumeToken(filters, *position, fingerprint), filters, fingerprint)
                 .value_or(-1) != *position)) {
      std::abort();
    }
  }
  return 0;
}
