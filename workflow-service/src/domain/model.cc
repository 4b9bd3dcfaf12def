#include "workflow-service/src/domain/model.h"

#include <array>
#include <utility>

namespace sslpanel::workflow::domain {
namespace {

template <typename Enum, size_t N>
using Names = std::array<std::pair<Enum, absl::string_view>, N>;

constexpr Names<CertificateStatus, 7> kStatusNames = {{
    {CertificateStatus::kOpen, "OPEN"},
    {CertificateStatus::kRequested, "REQUESTED"},
    {CertificateStatus::kRejected, "REJECTED"},
    {CertificateStatus::kActive, "ACTIVE"},
    {CertificateStatus::kRevoked, "REVOKED"},
    {CertificateStatus::kExpired, "EXPIRED"},
    {CertificateStatus::kRenewed, "RENEWED"},
}};
constexpr Names<PendingOperation, 3> kPendingNames = {{
    {PendingOperation::kNone, "NONE"},
    {PendingOperation::kRequest, "REQUEST"},
    {PendingOperation::kCancel, "CANCEL"},
}};
constexpr Names<HoldReason, 7> kHoldNames = {{
    {HoldReason::kNone, "NONE"},
    {HoldReason::kPrevalidationRunning, "PREVALIDATION_RUNNING"},
    {HoldReason::kPrevalidationFailed, "PREVALIDATION_FAILED"},
    {HoldReason::kAwaitingCa, "AWAITING_CA"},
    {HoldReason::kCaKeyConflict, "CA_KEY_CONFLICT"},
    {HoldReason::kCaOutcomeUnknown, "CA_OUTCOME_UNKNOWN"},
    {HoldReason::kCaAccount, "CA_ACCOUNT"},
}};
constexpr Names<CertificateKind, 3> kKindNames = {{
    {CertificateKind::kInitial, "INITIAL"},
    {CertificateKind::kReissue, "REISSUE"},
    {CertificateKind::kRenewal, "RENEWAL"},
}};
constexpr Names<ResellerCode, 6> kResellerNames = {{
    {ResellerCode::kPai, "PAI"},
    {ResellerCode::kReq, "REQ"},
    {ResellerCode::kRej, "REJ"},
    {ResellerCode::kFai, "FAI"},
    {ResellerCode::kAct, "ACT"},
    {ResellerCode::kExp, "EXP"},
}};
constexpr Names<ValidationType, 3> kValidationNames = {{
    {ValidationType::kDv, "DV"},
    {ValidationType::kOv, "OV"},
    {ValidationType::kEv, "EV"},
}};
constexpr Names<OrderStatus, 2> kOrderStatusNames = {{
    {OrderStatus::kOpen, "OPEN"},
    {OrderStatus::kClosed, "CLOSED"},
}};
constexpr Names<DcvMethod, 4> kDcvNames = {{
    {DcvMethod::kEmail, "EMAIL"},
    {DcvMethod::kDns, "DNS"},
    {DcvMethod::kHttp, "HTTP"},
    {DcvMethod::kHttps, "HTTPS"},
}};
constexpr Names<Action, 9> kActionNames = {{
    {Action::kUpdate, "UPDATE"},
    {Action::kSubmit, "SUBMIT"},
    {Action::kCancel, "CANCEL"},
    {Action::kReissue, "REISSUE"},
    {Action::kRenew, "RENEW"},
    {Action::kOverridePrevalidation, "OVERRIDE_PREVALIDATION"},
    {Action::kChangeDcvMethod, "CHANGE_DCV_METHOD"},
    {Action::kResendDcvEmail, "RESEND_DCV_EMAIL"},
    {Action::kResolveCaSubmission, "RESOLVE_CA_SUBMISSION"},
}};
constexpr Names<IntentKind, 8> kIntentNames = {{
    {IntentKind::kPrevalidate, "PREVALIDATE"},
    {IntentKind::kSubmitToCa, "SUBMIT_TO_CA"},
    {IntentKind::kCancelAtCa, "CANCEL_AT_CA"},
    {IntentKind::kRevokeAtCa, "REVOKE_AT_CA"},
    {IntentKind::kAbandonAtCa, "ABANDON_AT_CA"},
    {IntentKind::kChangeDcvAtCa, "CHANGE_DCV_AT_CA"},
    {IntentKind::kResendDcvEmailAtCa, "RESEND_DCV_EMAIL_AT_CA"},
    {IntentKind::kResolveAtCa, "RESOLVE_AT_CA"},
}};
constexpr Names<PrevalidationOutcome, 4> kOutcomeNames = {{
    {PrevalidationOutcome::kPass, "PASS"},
    {PrevalidationOutcome::kFail, "FAIL"},
    {PrevalidationOutcome::kNeedsReview, "NEEDS_REVIEW"},
    {PrevalidationOutcome::kNotApplicable, "NOT_APPLICABLE"},
}};

template <typename Enum, size_t N>
absl::string_view NameOf(const Names<Enum, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) {
      return name;
    }
  }
  return "UNKNOWN";
}

template <typename Enum, size_t N>
bool ValueOf(const Names<Enum, N>& names, absl::string_view text, Enum* out) {
  for (const auto& [candidate, name] : names) {
    if (name == text) {
      *out = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace

absl::string_view ToString(CertificateStatus v) { return NameOf(kStatusNames, v); }
absl::string_view ToString(PendingOperation v) { return NameOf(kPendingNames, v); }
absl::string_view ToString(HoldReason v) { return NameOf(kHoldNames, v); }
absl::string_view ToString(CertificateKind v) { return NameOf(kKindNames, v); }
absl::string_view ToString(ResellerCode v) { return NameOf(kResellerNames, v); }
absl::string_view ToString(ValidationType v) { return NameOf(kValidationNames, v); }
absl::string_view ToString(OrderStatus v) { return NameOf(kOrderStatusNames, v); }
absl::string_view ToString(DcvMethod v) { return NameOf(kDcvNames, v); }
absl::string_view ToString(Action v) { return NameOf(kActionNames, v); }
absl::string_view ToString(IntentKind v) { return NameOf(kIntentNames, v); }
absl::string_view ToString(PrevalidationOutcome v) { return NameOf(kOutcomeNames, v); }

bool Parse(absl::string_view t, CertificateStatus* out) { return ValueOf(kStatusNames, t, out); }
bool Parse(absl::string_view t, PendingOperation* out) { return ValueOf(kPendingNames, t, out); }
bool Parse(absl::string_view t, HoldReason* out) { return ValueOf(kHoldNames, t, out); }
bool Parse(absl::string_view t, CertificateKind* out) { return ValueOf(kKindNames, t, out); }
bool Parse(absl::string_view t, ValidationType* out) { return ValueOf(kValidationNames, t, out); }
bool Parse(absl::string_view t, OrderStatus* out) { return ValueOf(kOrderStatusNames, t, out); }
bool Parse(absl::string_view t, DcvMethod* out) { return ValueOf(kDcvNames, t, out); }
bool Parse(absl::string_view t, IntentKind* out) { return ValueOf(kIntentNames, t, out); }

}  // namespace sslpanel::workflow::domain
