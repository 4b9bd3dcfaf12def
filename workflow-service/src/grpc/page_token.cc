#include "workflow-service/src/grpc/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sslpanel::workflow::grpc_api {

std::string MakePageToken(int64_t last_id, const std::string& filters) {
  std::string token;
  absl::WebSafeBase64Escape(absl::StrCat("v1:", last_id, ":", filters), &token);
  return token;
}

absl::StatusOr<int64_t> ParsePageToken(const std::string& token, const std::string& filters) {
  std::string raw;
  int64_t id = 0;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    parts = absl::StrSplit(raw, ':');
  }
  if (parts.size() != 3 || parts[0] != "v1" || !absl::SimpleAtoi(parts[1], &id) || id <= 0) {
    return absl::InvalidArgumentError("page_token: not a token this service issued");
  }
  if (parts[2] != filters) {
    return absl::InvalidArgumentError(
        "page_token: the filters differ from the first page's; start again without a token");
  }
  return id;
}

}  // namespace sslpanel::workflow::grpc_api
