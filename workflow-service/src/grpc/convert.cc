#include "workflow-service/src/grpc/convert.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "workflow-service/src/domain/picture.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::grpc_api {
namespace {

using google::protobuf::Timestamp;

void SetTime(absl::Time t, Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
}

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

void ToProto(const domain::Organization& o, v1::Organization* out) {
  out->set_legal_name(o.legal_name);
  out->set_kvk_number(o.kvk_number);
  out->set_street(o.street);
  out->set_house_number(o.house_number);
  out->set_house_number_addition(o.house_number_addition);
  out->set_postcode(o.postcode);
  out->set_city(o.city);
  out->set_country_code(o.country_code);
  out->set_phone(o.phone);
}

void ToProto(const domain::DomainValidation& d, v1::DomainValidation* out) {
  out->set_host_name(d.host_name);
  out->set_method(ToProto(d.method));
  out->set_approver_email(d.approver_email);
}

void ToProto(const domain::DcvInstruction& i, v1::DcvInstruction* out) {
  out->set_host_name(i.host_name);
  out->set_method(ToProto(i.method));
  out->set_dns_record_name(i.dns_record_name);
  out->set_dns_record_type(i.dns_record_type);
  out->set_dns_record_value(i.dns_record_value);
  out->set_http_url(i.http_url);
  out->set_http_content(i.http_content);
  out->set_approver_email(i.approver_email);
  out->set_status(i.status);
}

template <typename Enum>
std::optional<Enum> Maybe(bool present, Enum value) {
  return present ? std::optional<Enum>(value) : std::nullopt;
}

}  // namespace

absl::StatusOr<int64_t> ParseId(const std::string& field, const std::string& text) {
  int64_t id = 0;
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": \"", text, "\" is not an id"));
  }
  return id;
}

absl::StatusOr<std::optional<int64_t>> ParseOptionalId(const std::string& field,
                                                       const std::string& text) {
  if (text.empty()) {
    return std::optional<int64_t>();
  }
  auto id = ParseId(field, text);
  if (!id.ok()) {
    return id.status();
  }
  return std::optional<int64_t>(*id);
}

void ToProto(const app::OrderRecord& record, const domain::ProductRules& rules, absl::Time now,
             v1::Order* out) {
  const domain::Order& order = record.order;
  out->set_order_id(absl::StrCat(order.id));
  out->set_external_order_id(order.external_order_id);
  out->set_status(order.status == domain::OrderStatus::kOpen ? v1::ORDER_STATUS_OPEN
                                                             : v1::ORDER_STATUS_CLOSED);
  out->set_reseller_code(ToProto(domain::ResellerCodeOf(order, now)));
  out->set_product_id(order.product_id);
  out->set_validation_type(ToProto(order.validation_type));
  if (!order.certificates.empty()) {
    const domain::Certificate& first = order.certificates.front();
    const domain::Certificate& newest = order.certificates.back();
    out->set_period_months(first.period_months);
    out->set_common_name(newest.common_name);
    for (const std::string& name : newest.additional_names) {
      out->add_additional_names(name);
    }
    for (const domain::DomainValidation& d : newest.domain_validations) {
      ToProto(d, out->add_domain_validations());
    }
  }
  if (!(order.organization == domain::Organization{})) {
    ToProto(order.organization, out->mutable_organization());
  }
  for (size_t i = 0; i < order.certificates.size(); ++i) {
    const domain::Certificate& c = order.certificates[i];
    v1::Certificate* cert = out->add_certificates();
    cert->set_certificate_id(absl::StrCat(c.id));
    cert->set_kind(ToProto(c.kind));
    cert->set_status(ToProto(c.status));
    cert->set_pending_operation(ToProto(c.pending));
    cert->set_hold_reason(ToProto(c.hold));
    cert->set_reseller_code(ToProto(domain::ResellerCodeOf(c, now)));
    for (const domain::StatusTime& entry :
         domain::StatusHistory(record.EventsOf(static_cast<int>(i)))) {
      v1::StatusTime* time = cert->add_status_history();
      time->set_status(ToProto(entry.status));
      SetTime(entry.entered_at, time->mutable_entered_at());
    }
    cert->set_common_name(c.common_name);
    for (const std::string& name : c.additional_names) {
      cert->add_additional_names(name);
    }
    cert->set_csr(c.csr_pem);
    if (c.not_before.has_value()) {
      SetTime(*c.not_before, cert->mutable_activation_time());
    }
    if (c.not_after.has_value()) {
      SetTime(*c.not_after, cert->mutable_expiration_time());
    }
    cert->set_ca_adapter(c.ca_adapter);
    cert->set_ca_reference(c.ca_reference);
    cert->set_ca_raw_status(c.ca_raw_status);
    cert->set_certificate_pem(c.certificate_pem);
    cert->set_chain_pem(c.chain_pem);
    cert->set_serial_number(c.serial_number);
    for (const domain::DcvInstruction& instruction : c.dcv_instructions) {
      ToProto(instruction, cert->add_dcv_instructions());
    }
    cert->set_rejection_reason(c.rejection_reason);
    cert->set_last_error(c.last_error);
    if (c.predecessor >= 0) {
      cert->set_predecessor_certificate_id(absl::StrCat(order.certificates[c.predecessor].id));
    }
    cert->set_period_months(c.period_months);
    if (order.status == domain::OrderStatus::kOpen) {
      for (domain::Action action : domain::AllowedActions(order, static_cast<int>(i), rules, now)) {
        cert->add_allowed_actions(ToProto(action));
      }
    }
    SetTime(c.created_at, cert->mutable_create_time());
  }
  if (record.prevalidation.has_value()) {
    const app::PrevalidationRecord& p = *record.prevalidation;
    v1::Prevalidation* prevalidation = out->mutable_prevalidation();
    prevalidation->set_certificate_id(absl::StrCat(p.certificate_id));
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    (void)google::protobuf::util::JsonStringToMessage(p.report_json,
                                                      prevalidation->mutable_report(), options);
    prevalidation->set_overridden_by(p.overridden_by);
    prevalidation->set_override_reason(p.override_reason);
    if (p.override_at.has_value()) {
      SetTime(*p.override_at, prevalidation->mutable_override_time());
    }
  }
  for (domain::Action action : domain::AllowedActions(order, rules, now)) {
    out->add_allowed_actions(ToProto(action));
  }
  if (order.stuck_since.has_value()) {
    SetTime(*order.stuck_since, out->mutable_stuck_since());
  }
  SetTime(order.created_at, out->mutable_create_time());
  SetTime(order.updated_at, out->mutable_update_time());
}

void ToProto(const app::EventRecord& record, int64_t order_id, v1::Event* out) {
  const domain::Event& e = record.event;
  out->set_event_id(absl::StrCat(record.id));
  out->set_order_id(absl::StrCat(order_id));
  out->set_certificate_id(absl::StrCat(record.certificate_id));
  out->set_type(e.type);
  if (e.from_status.has_value()) {
    out->set_from_status(ToProto(*e.from_status));
  }
  out->set_to_status(ToProto(e.to_status));
  out->set_from_pending_operation(ToProto(e.from_pending));
  out->set_to_pending_operation(ToProto(e.to_pending));
  SetTime(e.at, out->mutable_occur_time());
  out->set_actor(e.actor);
  out->set_caller(e.caller);
  out->set_reason(e.reason);
}

void ToProto(const app::Product& product, v1::Product* out) {
  out->set_product_id(product.id);
  out->set_display_name(product.display_name);
  out->set_brand(product.brand);
  out->set_validation_type(ToProto(product.validation_type));
  out->set_ca_adapter(product.ca_adapter);
  out->set_ca_product_code(product.ca_product_code);
  for (int months : product.period_months) {
    out->add_period_months(months);
  }
  out->set_wildcard_allowed(product.wildcard_allowed);
  out->set_max_additional_names(product.max_additional_names);
  out->set_renewal_window_days(product.renewal_window_days);
}

void ToProto(const app::WorkflowPicture& picture, v1::GetWorkflowResponse* out) {
  out->set_certificate_id(absl::StrCat(picture.certificate_id));
  for (const domain::PictureNode& node : picture.picture.nodes) {
    v1::WorkflowNode* n = out->add_nodes();
    n->set_status(ToProto(node.status));
    n->set_reached(node.reached);
    n->set_current(node.current);
    if (node.entered_at.has_value()) {
      SetTime(*node.entered_at, n->mutable_entered_at());
    }
  }
  for (const domain::PictureArrow& arrow : picture.picture.arrows) {
    v1::WorkflowArrow* a = out->add_arrows();
    a->set_name(arrow.name);
    a->set_from_status(ToProto(arrow.from));
    a->set_to_status(ToProto(arrow.to));
    switch (arrow.state) {
      case domain::ArrowState::kIdle:
        a->set_state(v1::ARROW_STATE_IDLE);
        break;
      case domain::ArrowState::kMarked:
        a->set_state(v1::ARROW_STATE_MARKED);
        break;
      case domain::ArrowState::kTaken:
        a->set_state(v1::ARROW_STATE_TAKEN);
        break;
    }
    if (arrow.marked_at.has_value()) {
      SetTime(*arrow.marked_at, a->mutable_marked_at());
    }
    if (arrow.taken_at.has_value()) {
      SetTime(*arrow.taken_at, a->mutable_taken_at());
    }
  }
}

void ToProto(const app::DecodedCsr& csr, v1::DecodeCsrResponse* out) {
  out->set_common_name(csr.common_name);
  out->set_organization(csr.organization);
  out->set_organizational_unit(csr.organizational_unit);
  out->set_locality(csr.locality);
  out->set_state(csr.state);
  out->set_country(csr.country);
  for (const std::string& name : csr.dns_names) {
    out->add_dns_names(name);
  }
  out->set_key_algorithm(csr.key_algorithm);
  out->set_key_bits(csr.key_bits);
  out->set_curve(csr.curve);
  out->set_signature_algorithm(csr.signature_algorithm);
  out->set_signature_valid(csr.signature_valid);
  for (const std::string& problem : csr.problems) {
    out->add_problems(problem);
  }
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

domain::Organization FromProto(const v1::Organization& o) {
  return domain::Organization{
      o.legal_name(), o.kvk_number(), o.street(),       o.house_number(), o.house_number_addition(),
      o.postcode(),   o.city(),       o.country_code(), o.phone()};
}

absl::StatusOr<std::vector<domain::DomainValidation>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::DomainValidation>& dcv) {
  std::vector<domain::DomainValidation> out;
  for (int i = 0; i < dcv.size(); ++i) {
    std::optional<domain::DcvMethod> method = FromProto(dcv[i].method());
    if (!method.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("domain_validations[", i, "].method: required"));
    }
    out.push_back({dcv[i].host_name(), *method, dcv[i].approver_email()});
  }
  return out;
}

absl::StatusOr<app::NewOrderInput> FromProto(const v1::CreateOrderRequest& r) {
  app::NewOrderInput input;
  input.external_order_id = r.external_order_id();
  input.product_id = r.product_id();
  input.period_months = r.period_months();
  input.csr = r.csr();
  input.common_name = r.common_name();
  input.additional_names.assign(r.additional_names().begin(), r.additional_names().end());
  input.dcv_method = FromProto(r.dcv_method());
  input.approver_email = r.approver_email();
  input.organization = FromProto(r.organization());
  input.draft = r.draft();
  auto dcv = FromProto(r.domain_validations());
  if (!dcv.ok()) {
    return dcv.status();
  }
  input.domain_validations = *std::move(dcv);
  return input;
}

absl::StatusOr<app::EditInput> FromProto(const v1::UpdateOrderRequest& r) {
  app::EditInput edit;
  if (r.update_mask().paths().empty()) {
    return absl::InvalidArgumentError(
        "update_mask: name the fields to change: csr, organization, dcv_method, approver_email, "
        "domain_validations");
  }
  for (const std::string& path : r.update_mask().paths()) {
    if (path == "csr") {
      edit.csr = r.csr();
    } else if (path == "organization") {
      edit.organization = FromProto(r.organization());
    } else if (path == "dcv_method" || path == "dcvMethod") {
      edit.dcv_method = FromProto(r.dcv_method());
      if (!edit.dcv_method.has_value()) {
        return absl::InvalidArgumentError("dcv_method: required when in update_mask");
      }
    } else if (path == "approver_email" || path == "approverEmail") {
      edit.approver_email = r.approver_email();
    } else if (path == "domain_validations" || path == "domainValidations") {
      auto dcv = FromProto(r.domain_validations());
      if (!dcv.ok()) {
        return dcv.status();
      }
      edit.domain_validations = *dcv;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: \"", path,
                       "\" cannot be updated; use csr, organization, dcv_method, approver_email or "
                       "domain_validations"));
    }
  }
  return edit;
}

absl::StatusOr<app::ListQuery> FromProto(const v1::ListOrdersRequest& r, absl::Time now) {
  app::ListQuery query;
  if (r.page_size() < 0 || r.page_size() > 500) {
    return absl::InvalidArgumentError("page_size: must be 0..500 (0 means 50)");
  }
  query.limit = r.page_size() == 0 ? 50 : r.page_size();
  switch (r.order_status()) {
    case v1::ORDER_STATUS_UNSPECIFIED:
      break;
    case v1::ORDER_STATUS_OPEN:
      query.order_status = domain::OrderStatus::kOpen;
      break;
    case v1::ORDER_STATUS_CLOSED:
      query.order_status = domain::OrderStatus::kClosed;
      break;
    default:
      return absl::InvalidArgumentError("order_status: unknown value");
  }
  if (r.certificate_status() != v1::CERTIFICATE_STATUS_UNSPECIFIED) {
    domain::CertificateStatus status;
    if (!domain::Parse(absl::StripPrefix(v1::CertificateStatus_Name(r.certificate_status()),
                                         "CERTIFICATE_STATUS_"),
                       &status)) {
      return absl::InvalidArgumentError("certificate_status: unknown value");
    }
    query.certificate_status = status;
  }
  if (r.reseller_code() != v1::RESELLER_CODE_UNSPECIFIED) {
    const std::string name(
        absl::StripPrefix(v1::ResellerCode_Name(r.reseller_code()), "RESELLER_CODE_"));
    for (auto code :
         {domain::ResellerCode::kPai, domain::ResellerCode::kReq, domain::ResellerCode::kRej,
          domain::ResellerCode::kFai, domain::ResellerCode::kAct, domain::ResellerCode::kExp}) {
      if (domain::ToString(code) == name) {
        query.reseller_code = code;
      }
    }
    if (!query.reseller_code.has_value()) {
      return absl::InvalidArgumentError("reseller_code: unknown value");
    }
  }
  const std::string& pattern = r.common_name_pattern();
  if (pattern.size() > 253) {
    return absl::InvalidArgumentError("common_name_pattern: at most 253 characters");
  }
  for (unsigned char c : pattern) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "common_name_pattern: host names are ASCII (IDNs as punycode), without spaces");
    }
  }
  const size_t stars = std::count(pattern.begin(), pattern.end(), '*');
  if (stars > 1 || (stars == 1 && pattern.front() != '*' && pattern.back() != '*')) {
    return absl::InvalidArgumentError(
        "common_name_pattern: \"name\", \"prefix*\" or \"*suffix\" (one '*' at an end)");
  }
  query.common_name_pattern = pattern;
  if (r.expiring_within_days() < 0 || r.expiring_within_days() > 3650) {
    return absl::InvalidArgumentError("expiring_within_days: must be 0..3650");
  }
  if (r.expiring_within_days() > 0) {
    query.expiring_before = now + absl::Hours(24) * r.expiring_within_days();
  }
  query.stuck_only = r.stuck();
  query.now = now;
  if (!r.page_token().empty()) {
    auto before = ParsePageToken(r.page_token(), ListFilters(r));
    if (!before.ok()) {
      return before.status();
    }
    query.before_order_id = *before;
  }
  return query;
}

std::string ListFilters(const v1::ListOrdersRequest& request) {
  v1::ListOrdersRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  return Sha256Hex(DeterministicBytes(filters)).substr(0, 16);
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace sslpanel::workflow::grpc_api
