// The domain enums as v1 enums, and the one v1 enum a request carries back.
#include "workflow-service/src/grpc/convert_enums.h"

#include "workflow-service/src/grpc/convert.h"

namespace sslpanel::workflow::grpc_api {

v1::CertificateStatus ToProto(domain::CertificateStatus s) {
  switch (s) {
    case domain::CertificateStatus::kOpen:
      return v1::CERTIFICATE_STATUS_OPEN;
    case domain::CertificateStatus::kRequested:
      return v1::CERTIFICATE_STATUS_REQUESTED;
    case domain::CertificateStatus::kRejected:
      return v1::CERTIFICATE_STATUS_REJECTED;
    case domain::CertificateStatus::kActive:
      return v1::CERTIFICATE_STATUS_ACTIVE;
    case domain::CertificateStatus::kRevoked:
      return v1::CERTIFICATE_STATUS_REVOKED;
    case domain::CertificateStatus::kExpired:
      return v1::CERTIFICATE_STATUS_EXPIRED;
    case domain::CertificateStatus::kRenewed:
      return v1::CERTIFICATE_STATUS_RENEWED;
  }
  return v1::CERTIFICATE_STATUS_UNSPECIFIED;
}

v1::PendingOperation ToProto(domain::PendingOperation p) {
  switch (p) {
    case domain::PendingOperation::kNone:
      return v1::PENDING_OPERATION_NONE;
    case domain::PendingOperation::kRequest:
      return v1::PENDING_OPERATION_REQUEST;
    case domain::PendingOperation::kCancel:
      return v1::PENDING_OPERATION_CANCEL;
  }
  return v1::PENDING_OPERATION_UNSPECIFIED;
}

v1::HoldReason ToProto(domain::HoldReason h) {
  switch (h) {
    case domain::HoldReason::kNone:
      return v1::HOLD_REASON_NONE;
    case domain::HoldReason::kPrevalidationRunning:
      return v1::HOLD_REASON_PREVALIDATION_RUNNING;
    case domain::HoldReason::kPrevalidationFailed:
      return v1::HOLD_REASON_PREVALIDATION_FAILED;
    case domain::HoldReason::kAwaitingCa:
      return v1::HOLD_REASON_AWAITING_CA;
    case domain::HoldReason::kCaKeyConflict:
      return v1::HOLD_REASON_CA_KEY_CONFLICT;
    case domain::HoldReason::kCaOutcomeUnknown:
      return v1::HOLD_REASON_CA_OUTCOME_UNKNOWN;
    case domain::HoldReason::kCaAccount:
      return v1::HOLD_REASON_CA_ACCOUNT;
  }
  return v1::HOLD_REASON_UNSPECIFIED;
}

v1::CertificateKind ToProto(domain::CertificateKind k) {
  switch (k) {
    case domain::CertificateKind::kInitial:
      return v1::CERTIFICATE_KIND_INITIAL;
    case domain::CertificateKind::kReissue:
      return v1::CERTIFICATE_KIND_REISSUE;
    case domain::CertificateKind::kRenewal:
      return v1::CERTIFICATE_KIND_RENEWAL;
  }
  return v1::CERTIFICATE_KIND_UNSPECIFIED;
}

v1::ResellerCode ToProto(domain::ResellerCode c) {
  switch (c) {
    case domain::ResellerCode::kPai:
      return v1::RESELLER_CODE_PAI;
    case domain::ResellerCode::kReq:
      return v1::RESELLER_CODE_REQ;
    case domain::ResellerCode::kRej:
      return v1::RESELLER_CODE_REJ;
    case domain::ResellerCode::kFai:
      return v1::RESELLER_CODE_FAI;
    case domain::ResellerCode::kAct:
      return v1::RESELLER_CODE_ACT;
    case domain::ResellerCode::kExp:
      return v1::RESELLER_CODE_EXP;
  }
  return v1::RESELLER_CODE_UNSPECIFIED;
}

v1::ValidationType ToProto(domain::ValidationType t) {
  switch (t) {
    case domain::ValidationType::kDv:
      return v1::VALIDATION_TYPE_DV;
    case domain::ValidationType::kOv:
      return v1::VALIDATION_TYPE_OV;
    case domain::ValidationType::kEv:
      return v1::VALIDATION_TYPE_EV;
  }
  return v1::VALIDATION_TYPE_UNSPECIFIED;
}

v1::DcvMethod ToProto(domain::DcvMethod m) {
  switch (m) {
    case domain::DcvMethod::kEmail:
      return v1::DCV_METHOD_EMAIL;
    case domain::DcvMethod::kDns:
      return v1::DCV_METHOD_DNS;
    case domain::DcvMethod::kHttp:
      return v1::DCV_METHOD_HTTP;
    case domain::DcvMethod::kHttps:
      return v1::DCV_METHOD_HTTPS;
  }
  return v1::DCV_METHOD_UNSPECIFIED;
}

v1::Action ToProto(domain::Action a) {
  switch (a) {
    case domain::Action::kUpdate:
      return v1::ACTION_UPDATE;
    case domain::Action::kSubmit:
      return v1::ACTION_SUBMIT;
    case domain::Action::kCancel:
      return v1::ACTION_CANCEL;
    case domain::Action::kReissue:
      return v1::ACTION_REISSUE;
    case domain::Action::kRenew:
      return v1::ACTION_RENEW;
    case domain::Action::kOverridePrevalidation:
      return v1::ACTION_OVERRIDE_PREVALIDATION;
    case domain::Action::kChangeDcvMethod:
      return v1::ACTION_CHANGE_DCV_METHOD;
    case domain::Action::kResendDcvEmail:
      return v1::ACTION_RESEND_DCV_EMAIL;
    case domain::Action::kResolveCaSubmission:
      return v1::ACTION_RESOLVE_CA_SUBMISSION;
  }
  return v1::ACTION_UNSPECIFIED;
}

std::optional<domain::DcvMethod> FromProto(v1::DcvMethod method) {
  switch (method) {
    case v1::DCV_METHOD_EMAIL:
      return domain::DcvMethod::kEmail;
    case v1::DCV_METHOD_DNS:
      return domain::DcvMethod::kDns;
    case v1::DCV_METHOD_HTTP:
      return domain::DcvMethod::kHttp;
    case v1::DCV_METHOD_HTTPS:
      return domain::DcvMethod::kHttps;
    default:
      return std::nullopt;
  }
}

}  // namespace sslpanel::workflow::grpc_api
