#include "ca-adapter/src/grpc/convert.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace sslpanel::ca::grpc_api {
namespace {

using google::protobuf::RepeatedPtrField;

domain::ValidationType FromProto(v1::ValidationType type) {
  switch (type) {
    case v1::VALIDATION_TYPE_DV:
      return domain::ValidationType::kDv;
    case v1::VALIDATION_TYPE_OV:
      return domain::ValidationType::kOv;
    case v1::VALIDATION_TYPE_EV:
      return domain::ValidationType::kEv;
    default:
      return domain::ValidationType::kUnspecified;
  }
}

v1::ValidationType ToProto(domain::ValidationType type) {
  switch (type) {
    case domain::ValidationType::kDv:
      return v1::VALIDATION_TYPE_DV;
    case domain::ValidationType::kOv:
      return v1::VALIDATION_TYPE_OV;
    case domain::ValidationType::kEv:
      return v1::VALIDATION_TYPE_EV;
    case domain::ValidationType::kUnspecified:
      break;
  }
  return v1::VALIDATION_TYPE_UNSPECIFIED;
}

domain::DcvMethod FromProto(v1::DcvMethod method) {
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
      return domain::DcvMethod::kUnspecified;
  }
}

v1::DcvMethod ToProto(domain::DcvMethod method) {
  switch (method) {
    case domain::DcvMethod::kEmail:
      return v1::DCV_METHOD_EMAIL;
    case domain::DcvMethod::kDns:
      return v1::DCV_METHOD_DNS;
    case domain::DcvMethod::kHttp:
      return v1::DCV_METHOD_HTTP;
    case domain::DcvMethod::kHttps:
      return v1::DCV_METHOD_HTTPS;
    case domain::DcvMethod::kUnspecified:
      break;
  }
  return v1::DCV_METHOD_UNSPECIFIED;
}

v1::OrderState ToProto(domain::OrderState state) {
  switch (state) {
    case domain::OrderState::kPending:
      return v1::ORDER_STATE_PENDING;
    case domain::OrderState::kIssued:
      return v1::ORDER_STATE_ISSUED;
    case domain::OrderState::kRefused:
      return v1::ORDER_STATE_REFUSED;
    case domain::OrderState::kCancelled:
      return v1::ORDER_STATE_CANCELLED;
    case domain::OrderState::kRevoked:
      return v1::ORDER_STATE_REVOKED;
  }
  return v1::ORDER_STATE_UNSPECIFIED;
}

std::vector<std::string> Strings(const RepeatedPtrField<std::string>& values) {
  return std::vector<std::string>(values.begin(), values.end());
}

std::vector<domain::DomainValidation> Validations(
    const RepeatedPtrField<v1::DomainValidation>& values) {
  std::vector<domain::DomainValidation> out;
  for (const v1::DomainValidation& dv : values) {
    out.push_back({dv.host_name(), FromProto(dv.method()), dv.approver_email()});
  }
  return out;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  *out = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(nanos);
}

void SetDuration(absl::Duration d, google::protobuf::Duration* out) {
  *out = google::protobuf::util::TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(d));
}

}  // namespace

domain::SubmitCommand FromProto(const v1::SubmitOrderRequest& request) {
  domain::SubmitCommand command;
  command.idempotency_key = request.idempotency_key();
  command.csr_pem = request.csr();
  command.common_name = request.common_name();
  command.additional_names = Strings(request.additional_names());
  command.validation_type = FromProto(request.validation_type());
  command.period_months = request.period_months();
  command.product_code = request.product_code();
  command.domain_validations = Validations(request.domain_validations());
  if (request.has_organization()) {
    const v1::Organization& o = request.organization();
    command.organization = domain::Organization{
        o.legal_name(), o.registration_number(), o.street_address(), o.postcode(),
        o.city(),       o.country_code(),        o.phone()};
  }
  return command;
}

domain::ReissueCommand FromProto(const v1::ReissueCertificateRequest& request) {
  domain::ReissueCommand command;
  command.idempotency_key = request.idempotency_key();
  command.ca_order_id = request.ca_order_id();
  command.csr_pem = request.csr();
  command.common_name = request.common_name();
  command.additional_names = Strings(request.additional_names());
  command.domain_validations = Validations(request.domain_validations());
  return command;
}

domain::RenewCommand FromProto(const v1::RenewOrderRequest& request) {
  domain::RenewCommand command;
  command.idempotency_key = request.idempotency_key();
  command.ca_order_id = request.ca_order_id();
  command.csr_pem = request.csr();
  command.common_name = request.common_name();
  command.additional_names = Strings(request.additional_names());
  command.period_months = request.period_months();
  command.domain_validations = Validations(request.domain_validations());
  return command;
}

domain::CancelCommand FromProto(const v1::CancelOrderRequest& request) {
  domain::CancelCommand command;
  command.idempotency_key = request.idempotency_key();
  command.ca_order_id = request.ca_order_id();
  command.submit_idempotency_key = request.submit_idempotency_key();
  command.reason = request.reason();
  return command;
}

domain::ChangeDcvCommand FromProto(const v1::ChangeDcvMethodRequest& request) {
  domain::ChangeDcvCommand command;
  command.idempotency_key = request.idempotency_key();
  command.ca_order_id = request.ca_order_id();
  command.domain_validations = Validations(request.domain_validations());
  return command;
}

domain::ResendDcvEmailCommand FromProto(const v1::ResendDcvEmailRequest& request) {
  domain::ResendDcvEmailCommand command;
  command.idempotency_key = request.idempotency_key();
  command.ca_order_id = request.ca_order_id();
  command.host_name = request.host_name();
  return command;
}

domain::ResolveSubmissionCommand FromProto(const v1::ResolveSubmissionRequest& request) {
  domain::ResolveSubmissionCommand command;
  command.submit_idempotency_key = request.submit_idempotency_key();
  command.attach_ca_order_id = request.attach_ca_order_id();
  command.resubmit = request.resubmit();
  command.operator_identity = request.operator_();
  command.reason = request.reason();
  return command;
}

absl::StatusOr<domain::RevokeCommand> FromProto(const v1::RevokeCertificateRequest& request) {
  domain::RevokeCommand command;
  command.idempotency_key = request.idempotency_key();
  command.ca_order_id = request.ca_order_id();
  switch (request.reason()) {
    case v1::REVOCATION_REASON_UNSPECIFIED:
      command.reason = domain::RevocationReason::kUnspecified;
      break;
    case v1::REVOCATION_REASON_KEY_COMPROMISE:
      command.reason = domain::RevocationReason::kKeyCompromise;
      break;
    case v1::REVOCATION_REASON_AFFILIATION_CHANGED:
      command.reason = domain::RevocationReason::kAffiliationChanged;
      break;
    case v1::REVOCATION_REASON_SUPERSEDED:
      command.reason = domain::RevocationReason::kSuperseded;
      break;
    case v1::REVOCATION_REASON_CESSATION_OF_OPERATION:
      command.reason = domain::RevocationReason::kCessationOfOperation;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("reason: unknown revocation reason ", static_cast<int>(request.reason())));
  }
  return command;
}

void ToProto(const domain::OrderStatus& status, v1::CaOrderStatus* out) {
  out->set_ca_order_id(status.ca_order_id);
  out->set_state(ToProto(status.state));
  out->set_raw_status(status.raw_status);
  for (const domain::DcvInstruction& i : status.dcv_instructions) {
    v1::DcvInstruction* dcv = out->add_dcv_instructions();
    dcv->set_host_name(i.host_name);
    dcv->set_method(ToProto(i.method));
    dcv->set_dns_record_name(i.dns_record_name);
    dcv->set_dns_record_type(i.dns_record_type);
    dcv->set_dns_record_value(i.dns_record_value);
    dcv->set_http_url(i.http_url);
    dcv->set_http_content(i.http_content);
    dcv->set_approver_email(i.approver_email);
    dcv->set_status(i.status);
  }
  if (status.certificate.has_value()) {
    v1::IssuedCertificate* cert = out->mutable_certificate();
    cert->set_certificate_pem(status.certificate->certificate_pem);
    cert->set_chain_pem(status.certificate->chain_pem);
    cert->set_serial_number(status.certificate->serial_number);
    SetTime(status.certificate->not_before, cert->mutable_not_before());
    SetTime(status.certificate->not_after, cert->mutable_not_after());
  }
  out->set_refusal_reason(status.refusal_reason);
}

void ToProto(const domain::Capabilities& capabilities, v1::GetCapabilitiesResponse* out) {
  out->set_adapter(capabilities.adapter);
  out->set_ca_name(capabilities.ca_name);
  for (domain::ValidationType type : capabilities.validation_types) {
    out->add_validation_types(ToProto(type));
  }
  for (domain::DcvMethod method : capabilities.dcv_methods) {
    out->add_dcv_methods(ToProto(method));
  }
  out->set_supports_cancel(capabilities.supports_cancel);
  out->set_supports_revoke(capabilities.supports_revoke);
  out->set_supports_reissue(capabilities.supports_reissue);
  out->set_supports_renew(capabilities.supports_renew);
  out->set_supports_wildcard(capabilities.supports_wildcard);
  out->set_max_names(capabilities.max_names);
  out->set_supports_change_dcv_method(capabilities.supports_change_dcv_method);
  out->set_supports_resend_dcv_email(capabilities.supports_resend_dcv_email);
  out->set_supports_list_approver_emails(capabilities.supports_list_approver_emails);
  if (capabilities.status_polling.has_value()) {
    v1::StatusPolling* polling = out->mutable_status_polling();
    SetDuration(capabilities.status_polling->min_interval, polling->mutable_min_interval());
    polling->set_max_in_flight(capabilities.status_polling->max_in_flight);
    SetDuration(capabilities.status_polling->rate_limited_backoff,
                polling->mutable_rate_limited_backoff());
  }
}

}  // namespace sslpanel::ca::grpc_api
