#include "workflow-service/src/domain/event_types.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sslpanel::workflow::domain {

const std::vector<std::string>& KnownEventTypes() {
  // The types transitions.cc and dcv.cc append (invariants_test.cc checks
  // that every event of its random walks is listed here).
  static const auto* types = [] {
    auto* list = new std::vector<std::string>{
        "CANCELLED",
        "CANCEL_REFUSED",
        "CANCEL_REQUESTED",
        "CANCEL_RESENT",
        "CA_ACCEPTED",
        "CA_ACCOUNT_PROBLEM",
        "CA_CANCELLED",
        "CA_CANCEL_CONFIRMED",
        "CA_ISSUED",
        "CA_KEY_CONFLICT",
        "CA_OUTCOME_UNKNOWN",
        "CA_REFUSED",
        "CA_RESOLUTION_FAILED",
        "CA_RESOLUTION_REQUESTED",
        "CA_REVOKED",
        "CA_REVOKE_CONFIRMED",
        "CREATED",
        "DCV_CHANGED",
        "DCV_CHANGE_FAILED",
        "DCV_CHANGE_REQUESTED",
        "DCV_EMAIL_RESEND_FAILED",
        "DCV_EMAIL_RESEND_REQUESTED",
        "DCV_EMAIL_RESENT",
        "EXPIRED",
        "PREVALIDATION_FAILED",
        "PREVALIDATION_OVERRIDDEN",
        "PREVALIDATION_PASSED",
        "RENEWAL_FAILED",
        "RENEWED",
        "RESUBMITTED",
        "SUBMITTED",
        "UPDATED",
    };
    std::sort(list->begin(), list->end());
    return list;
  }();
  return *types;
}

bool IsKnownEventType(absl::string_view type) {
  const std::vector<std::string>& types = KnownEventTypes();
  return std::binary_search(types.begin(), types.end(), std::string(type));
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
