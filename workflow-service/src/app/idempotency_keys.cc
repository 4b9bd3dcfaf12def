#include "workflow-service/src/app/idempotency_keys.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::app {

std::string NewInstallationId(const std::function<uint64_t()>& random64) {
  // Hex of 64 bits, zero-padded, so every id has the same length.
  return absl::StrCat(absl::Hex(random64(), absl::kZeroPad16));
}

absl::Status CheckInstallationId(absl::string_view id) {
  bool hex = id.size() == static_cast<size_t>(kInstallationIdLength);
  for (char c : id) {
    hex = hex && absl::ascii_isxdigit(c) && !absl::ascii_isupper(c);
  }
  if (!hex) {
    return absl::InvalidArgumentError(absl::StrCat(
        "installation id: \"", id, "\" must be ", kInstallationIdLength, " lower-case hex digits"));
  }
  return absl::OkStatus();
}

std::string IdempotencyKey(absl::string_view installation_id, domain::IntentKind kind,
                           int64_t certificate_id, int submission, int64_t order_version) {
  const std::string prefix = absl::StrCat("wf-", installation_id, "-");
  switch (kind) {
    case domain::IntentKind::kPrevalidate:
      return absl::StrCat(prefix, "prevalidate-", certificate_id, "-", submission);
    case domain::IntentKind::kSubmitToCa:
      return absl::StrCat(prefix, "submit-", certificate_id, "-", submission);
    case domain::IntentKind::kCancelAtCa:
      return absl::StrCat(prefix, "cancel-", certificate_id, "-v", order_version);
    case domain::IntentKind::kRevokeAtCa:
      return absl::StrCat(prefix, "revoke-", certificate_id, "-v", order_version);
    case domain::IntentKind::kAbandonAtCa:
      return absl::StrCat(prefix, "abandon-", certificate_id, "-", submission);
    case domain::IntentKind::kChangeDcvAtCa:
      return absl::StrCat(prefix, "dcv-", certificate_id, "-v", order_version);
    case domain::IntentKind::kResendDcvEmailAtCa:
      return absl::StrCat(prefix, "dcvmail-", certificate_id, "-v", order_version);
    case domain::IntentKind::kResolveAtCa:
      return absl::StrCat(prefix, "resolve-", certificate_id, "-v", order_version);
  }
  return "";
}

}  // namespace sslpanel::workflow::app
