#include "workflow-service/src/grpc/resume_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sslpanel::workflow::grpc_api {

std::string MakeResumeToken(const std::string& installation_id, int64_t position) {
  std::string token;
  absl::WebSafeBase64Escape(absl::StrCat("ev1:", installation_id, ":", position), &token);
  return token;
}

absl::StatusOr<int64_t> ParseResumeToken(const std::string& token,
                                         const std::string& installation_id) {
  std::string raw;
  int64_t position = -1;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    parts = absl::StrSplit(raw, ':');
  }
  if (parts.size() != 3 || parts[0] != "ev1" || parts[1].empty() ||
      !absl::SimpleAtoi(parts[2], &position) || position < 0 ||
      parts[2] != absl::StrCat(position)) {
    return absl::InvalidArgumentError(
        "resume_token: not a token this service issued; start again without one");
  }
  if (parts[1] != installation_id) {
    return absl::InvalidArgumentError(
        "resume_token: issued by another installation (another database); start again "
        "without one");
  }
  return position;
}

}  // namespace sslpanel::workflow::grpc_api
