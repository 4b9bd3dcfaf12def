#include "workflow-service/src/grpc/resume_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace sslpanel::workflow::grpc_api {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

void Mix(uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
}

// Length-prefixed, so that no two filters encode alike.
void MixField(uint64_t& h, std::string_view field) {
  Mix(h, absl::StrCat(field.size(), ":"));
  Mix(h, field);
}

}  // namespace

uint64_t FilterFingerprint(int64_t order_id, std::string_view external_order_id,
                           const std::vector<std::string>& types) {
  uint64_t h = kFnvOffset;
  MixField(h, absl::StrCat(order_id));
  MixField(h, external_order_id);
  MixField(h, absl::StrCat(types.size()));
  for (const std::string& type : types) {
    MixField(h, type);
  }
  return h;
}

std::string MakeResumeToken(const std::string& installation_id, int64_t position,
                            uint64_t filters) {
  std::string token;
  absl::WebSafeBase64Escape(
      absl::StrCat("ev2:", installation_id, ":", position, ":", absl::StrFormat("%016x", filters)),
      &token);
  return token;
}

absl::StatusOr<int64_t> ParseResumeToken(const std::string& token,
                                         const std::string& installation_id, uint64_t filters) {
  std::string raw;
  int64_t position = -1;
  uint64_t issued_for = 0;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    parts = absl::StrSplit(raw, ':');
  }
  if (parts.size() != 4 || parts[0] != "ev2" || parts[1].empty() ||
      !absl::SimpleAtoi(parts[2], &position) || position < 0 ||
      parts[2] != absl::StrCat(position) || parts[3].size() != 16 ||
      !absl::SimpleHexAtoi(parts[3], &issued_for) ||
      parts[3] != absl::StrFormat("%016x", issued_for)) {
    return absl::InvalidArgumentError(
        "resume_token: not a token this service issued; start again without one");
  }
  if (parts[1] != installation_id) {
    return absl::InvalidArgumentError(
        "resume_token: issued by another installation (another database); start again "
        "without one");
  }
  if (issued_for != filters) {
    return absl::InvalidArgumentError(
        "resume_token: issued for other filters (order_id, external_order_id, event_types); "
        "resume with the same ones");
  }
  return position;
}

}  // namespace sslpanel::workflow::grpc_api
