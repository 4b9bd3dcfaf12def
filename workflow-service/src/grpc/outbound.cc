// The CA adapters' client (GrpcCaClient) and the --ca_adapters list.
#include "workflow-service/src/grpc/outbound.h"

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "workflow-service/src/grpc/outbound_call.h"

namespace sslpanel::workflow::grpc_api {
namespace {

namespace cav1 = ::sslpanel::ca::v1;

cav1::ValidationType ToCa(domain::ValidationType type) {
  switch (type) {
    case domain::ValidationType::kDv:
      return cav1::VALIDATION_TYPE_DV;
    case domain::ValidationType::kOv:
      return cav1::VALIDATION_TYPE_OV;
    case domain::ValidationType::kEv:
      return cav1::VALIDATION_TYPE_EV;
  }
  return cav1::VALIDATION_TYPE_UNSPECIFIED;
}

cav1::DcvMethod ToCa(domain::DcvMethod method) {
  switch (method) {
    case domain::DcvMethod::kEmail:
      return cav1::DCV_METHOD_EMAIL;
    case domain::DcvMethod::kDns:
      return cav1::DCV_METHOD_DNS;
    case domain::DcvMethod::kHttp:
      return cav1::DCV_METHOD_HTTP;
    case domain::DcvMethod::kHttps:
      return cav1::DCV_METHOD_HTTPS;
  }
  return cav1::DCV_METHOD_UNSPECIFIED;
}

domain::DcvMethod FromCa(cav1::DcvMethod method) {
  switch (method) {
    case cav1::DCV_METHOD_EMAIL:
      return domain::DcvMethod::kEmail;
    case cav1::DCV_METHOD_HTTP:
      return domain::DcvMethod::kHttp;
    case cav1::DCV_METHOD_HTTPS:
      return domain::DcvMethod::kHttps;
    default:
      return domain::DcvMethod::kDns;
  }
}

template <typename Request>
void FillNames(const domain::Certificate& cert, Request* request) {
  request->set_csr(cert.csr_pem);
  request->set_common_name(cert.common_name);
  for (const std::string& name : cert.additional_names) {
    request->add_additional_names(name);
  }
  for (const domain::DomainValidation& d : cert.domain_validations) {
    cav1::DomainValidation* dcv = request->add_domain_validations();
    dcv->set_host_name(d.host_name);
    dcv->set_method(ToCa(d.method));
    dcv->set_approver_email(d.approver_email);
  }
}

absl::StatusOr<app::CaAnswer> FromCa(const cav1::CaOrderStatus& status) {
  app::CaAnswer answer;
  answer.ca_reference = status.ca_order_id();
  answer.raw_status = status.raw_status();
  answer.refusal_reason = status.refusal_reason();
  switch (status.state()) {
    case cav1::ORDER_STATE_PENDING:
      answer.state = app::CaState::kPending;
      break;
    case cav1::ORDER_STATE_ISSUED:
      answer.state = app::CaState::kIssued;
      break;
    case cav1::ORDER_STATE_REFUSED:
      answer.state = app::CaState::kRefused;
      break;
    case cav1::ORDER_STATE_CANCELLED:
      answer.state = app::CaState::kCancelled;
      break;
    case cav1::ORDER_STATE_REVOKED:
      answer.state = app::CaState::kRevoked;
      break;
    default:
      return absl::InternalError("the CA adapter answered without an order state");
  }
  for (const cav1::DcvInstruction& i : status.dcv_instructions()) {
    answer.dcv_instructions.push_back({i.host_name(), FromCa(i.method()), i.dns_record_name(),
                                       i.dns_record_type(), i.dns_record_value(), i.http_url(),
                                       i.http_content(), i.approver_email(), i.status()});
  }
  if (status.has_certificate()) {
    const cav1::IssuedCertificate& c = status.certificate();
    answer.certificate =
        domain::IssuedCertificate{FromTimestamp(c.not_before()), FromTimestamp(c.not_after()),
                                  c.certificate_pem(), c.chain_pem(), c.serial_number()};
  } else if (answer.state == app::CaState::kIssued) {
    return absl::InternalError("the CA adapter reported ISSUED without the certificate");
  }
  return answer;
}

}  // namespace

absl::StatusOr<app::CaAnswer> GrpcCaClient::Submit(const domain::Order& order,
                                                   const domain::Certificate& cert,
                                                   const std::string& product_code,
                                                   const std::string& key) {
  cav1::SubmitOrderRequest request;
  request.set_idempotency_key(key);
  FillNames(cert, &request);
  request.set_validation_type(ToCa(order.validation_type));
  request.set_period_months(cert.period_months);
  request.set_product_code(product_code);
  if (order.validation_type != domain::ValidationType::kDv) {
    const domain::Organization& o = order.organization;
    cav1::Organization* org = request.mutable_organization();
    org->set_legal_name(o.legal_name);
    org->set_registration_number(o.kvk_number);
    org->set_street_address(absl::StrCat(o.street, " ", o.house_number,
                                         o.house_number_addition.empty() ? "" : " ",
                                         o.house_number_addition));
    org->set_postcode(o.postcode);
    org->set_city(o.city);
    org->set_country_code(o.country_code);
    org->set_phone(o.phone);
  }
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::SubmitOrderResponse response;
  grpc::Status status = stub_->SubmitOrder(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::Reissue(const domain::Certificate& previous,
                                                    const domain::Certificate& cert,
                                                    const std::string& key) {
  cav1::ReissueCertificateRequest request;
  request.set_idempotency_key(key);
  request.set_ca_order_id(previous.ca_reference);
  FillNames(cert, &request);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::ReissueCertificateResponse response;
  grpc::Status status = stub_->ReissueCertificate(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::Renew(const domain::Certificate& previous,
                                                  const domain::Certificate& cert,
                                                  const std::string& key) {
  cav1::RenewOrderRequest request;
  request.set_idempotency_key(key);
  request.set_ca_order_id(previous.ca_reference);
  FillNames(cert, &request);
  request.set_period_months(cert.period_months);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::RenewOrderResponse response;
  grpc::Status status = stub_->RenewOrder(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::Cancel(const std::string& ca_reference,
                                                   const std::string& submit_key,
                                                   const std::string& reason,
                                                   const std::string& key) {
  cav1::CancelOrderRequest request;
  request.set_idempotency_key(key);
  request.set_ca_order_id(ca_reference);
  request.set_submit_idempotency_key(submit_key);
  request.set_reason(reason);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::CancelOrderResponse response;
  grpc::Status status = stub_->CancelOrder(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::Revoke(const std::string& ca_reference,
                                                   const std::string& key) {
  cav1::RevokeCertificateRequest request;
  request.set_idempotency_key(key);
  request.set_ca_order_id(ca_reference);
  request.set_reason(cav1::REVOCATION_REASON_CESSATION_OF_OPERATION);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::RevokeCertificateResponse response;
  grpc::Status status = stub_->RevokeCertificate(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::Status(const std::string& ca_reference) {
  cav1::GetOrderStatusRequest request;
  request.set_ca_order_id(ca_reference);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::GetOrderStatusResponse response;
  grpc::Status status = stub_->GetOrderStatus(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaCapabilities> GrpcCaClient::Capabilities() {
  cav1::GetCapabilitiesRequest request;
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::GetCapabilitiesResponse response;
  grpc::Status status = stub_->GetCapabilities(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  app::CaCapabilities capabilities;
  capabilities.supports_change_dcv_method = response.supports_change_dcv_method();
  capabilities.supports_resend_dcv_email = response.supports_resend_dcv_email();
  capabilities.supports_list_approver_emails = response.supports_list_approver_emails();
  if (response.has_status_polling()) {
    const cav1::StatusPolling& polling = response.status_polling();
    capabilities.min_poll_interval = absl::Seconds(polling.min_interval().seconds()) +
                                     absl::Nanoseconds(polling.min_interval().nanos());
    capabilities.rate_limited_backoff = absl::Seconds(polling.rate_limited_backoff().seconds()) +
                                        absl::Nanoseconds(polling.rate_limited_backoff().nanos());
  }
  return capabilities;
}

absl::StatusOr<std::vector<std::string>> GrpcCaClient::ListApproverEmails(
    const std::string& host_name) {
  cav1::ListApproverEmailsRequest request;
  request.set_host_name(host_name);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::ListApproverEmailsResponse response;
  grpc::Status status = stub_->ListApproverEmails(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return std::vector<std::string>(response.approver_emails().begin(),
                                  response.approver_emails().end());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::ChangeDcv(
    const std::string& ca_reference, const std::vector<domain::DomainValidation>& changes,
    const std::string& key) {
  cav1::ChangeDcvMethodRequest request;
  request.set_idempotency_key(key);
  request.set_ca_order_id(ca_reference);
  for (const domain::DomainValidation& d : changes) {
    cav1::DomainValidation* dcv = request.add_domain_validations();
    dcv->set_host_name(d.host_name);
    dcv->set_method(ToCa(d.method));
    dcv->set_approver_email(d.approver_email);
  }
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::ChangeDcvMethodResponse response;
  grpc::Status status = stub_->ChangeDcvMethod(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::ResendDcvEmail(const std::string& ca_reference,
                                                           const std::string& host_name,
                                                           const std::string& key) {
  cav1::ResendDcvEmailRequest request;
  request.set_idempotency_key(key);
  request.set_ca_order_id(ca_reference);
  request.set_host_name(host_name);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::ResendDcvEmailResponse response;
  grpc::Status status = stub_->ResendDcvEmail(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  return FromCa(response.status());
}

absl::StatusOr<app::CaAnswer> GrpcCaClient::ResolveSubmission(const std::string& submit_key,
                                                              const domain::IntentDetail& detail) {
  cav1::ResolveSubmissionRequest request;
  request.set_submit_idempotency_key(submit_key);
  if (detail.resubmit) {
    request.set_resubmit(true);
  } else {
    request.set_attach_ca_order_id(detail.attach_ca_reference);
  }
  request.set_operator_(detail.actor);
  request.set_reason(detail.reason);
  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  cav1::ResolveSubmissionResponse response;
  grpc::Status status = stub_->ResolveSubmission(&context, request, &response);
  if (!status.ok()) {
    return Failure(status, context);
  }
  app::CaAnswer answer;
  answer.ca_reference = response.status().ca_order_id();
  answer.raw_status = response.status().raw_status();
  return answer;
}

absl::StatusOr<std::map<std::string, std::string>> ParseAdapterList(const std::string& text) {
  std::map<std::string, std::string> adapters;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty() || parts[1].find(':') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--ca_adapters: \"", entry, "\" must be name=host:port"));
    }
    adapters[parts[0]] = parts[1];
  }
  return adapters;
}

}  // namespace sslpanel::workflow::grpc_api
