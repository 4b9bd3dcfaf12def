#include "workflow-service/src/domain/event_types.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sslpanel::workflow::domain {

const std::vector<std::string>& KnownEventTypes() {
  static const std::vector<std::string>* const kTypes = [] {
    auto* types = new std::vector<std::string>{
        // An order and its submissions.
        "CREATED", "SUBMITTED", "RESUBMITTED", "UPDATED",
        // Prevalidation.
        "PREVALIDATION_PASSED", "PREVALIDATION_FAILED", "PREVALIDATION_OVERRIDDEN",
        // The CA's answers.
        "CA_ACCEPTED", "CA_ISSUED", "CA_REFUSED", "CA_KEY_CONFLICT", "CA_OUTCOME_UNKNOWN",
        "CA_ACCOUNT_PROBLEM",
        // Cancel and revoke.
        "CANCEL_REQUESTED", "CANCEL_RESENT", "CANCEL_REFUSED", "CANCELLED", "CA_CANCELLED",
        "CA_CANCEL_CONFIRMED", "CA_REVOKED", "CA_REVOKE_CONFIRMED",
        // Expiry and renewal.
        "EXPIRED", "RENEWED", "RENEWAL_FAILED",
        // Domain control validation and the resolution of unknown outcomes.
        "DCV_CHANGE_REQUESTED", "DCV_CHANGED", "DCV_CHANGE_FAILED", "DCV_EMAIL_RESEND_REQUESTED",
        "DCV_EMAIL_RESENT", "DCV_EMAIL_RESEND_FAILED", "CA_RESOLUTION_REQUESTED",
        "CA_RESOLUTION_FAILED"};
    std::sort(types->begin(), types->end());
    return types;
  }();
  return *kTypes;
}

bool IsKnownEventType(absl::string_view type) {
  const std::vector<std::string>& types = KnownEventTypes();
  return std::binary_search(types.begin(), types.end(), type,
                            [](absl::string_view a, absl::string_view b) { return a < b; });
}

absl::Status CheckEventTypes(absl::string_view field, const std::vector<std::string>& types) {
  for (const std::string& type : types) {
    if (!IsKnownEventType(type)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": unknown event type \"", type,
                       "\" (known: ", absl::StrJoin(KnownEventTypes(), ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::workflow::domain
