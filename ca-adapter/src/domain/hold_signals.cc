#include "ca-adapter/src/domain/hold_signals.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::ca::domain {
namespace {

absl::Status Signal(absl::string_view key, absl::string_view what, absl::string_view reason) {
  absl::Status status = absl::UnavailableError(absl::StrCat(what, ": ", reason));
  status.SetPayload(key, absl::Cord(reason));
  return status;
}

}  // namespace

absl::Status OutcomeUnknown(absl::string_view reason) {
  return Signal(kOutcomeUnknownKey, "outcome of the submission at the CA is unknown", reason);
}

absl::Status AccountProblem(absl::string_view reason) {
  return Signal(kAccountProblemKey, "the CA refused the reseller account", reason);
}

std::optional<std::string> HoldSignal(const absl::Status& status, absl::string_view key) {
  const absl::optional<absl::Cord> payload = status.GetPayload(key);
  if (!payload.has_value()) {
    return std::nullopt;
  }
  return std::string(*payload);
}

}  // namespace sslpanel::ca::domain
