// The workflow's records as v1 messages: orders, events, products, the
// workflow picture and a decoded CSR.
#include "workflow-service/src/grpc/convert.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "workflow-service/src/domain/picture.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/grpc/convert_enums.h"

namespace sslpanel::workflow::grpc_api {
namespace {

using google::protobuf::Timestamp;
// The enums' overloads (convert_enums.h), beside this namespace's own.
using grpc_api::ToProto;

void SetTime(absl::Time t, Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
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

}  // namespace sslpanel::workflow::grpc_api
