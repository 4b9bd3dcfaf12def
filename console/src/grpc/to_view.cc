#include "console/src/grpc/to_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "console/src/view/links.h"

namespace sslpanel::console::grpc_glue {
namespace {

namespace pv = ::sslpanel::prevalidation::v1;
using view::Humanize;

// "CERTIFICATE_STATUS_ACTIVE" -> "ACTIVE": enum value names carry their
// type's prefix (buf style).
std::string Strip(const std::string& name, absl::string_view prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::optional<absl::Time> OptionalTime(const google::protobuf::Timestamp& t) {
  if (!IsSet(t)) {
    return std::nullopt;
  }
  return ToTime(t);
}

std::string When(const google::protobuf::Timestamp& t) {
  return IsSet(t) ? view::FormatUtc(ToTime(t)) : "";
}

std::string Months(int months) { return absl::StrCat(months, months == 1 ? " month" : " months"); }

std::string StatusWord(v1::CertificateStatus status) { return Humanize(StatusName(status)); }

std::string PendingWord(v1::PendingOperation op) {
  switch (op) {
    case v1::PENDING_OPERATION_REQUEST:
      return "Requested";
    case v1::PENDING_OPERATION_CANCEL:
      return "Cancel";
    default:
      return "";
  }
}

std::string CodeWord(v1::ResellerCode code) {
  return Strip(v1::ResellerCode_Name(code), "RESELLER_CODE_");
}

std::vector<std::string> ActionWords(const google::protobuf::RepeatedField<int>& actions) {
  std::vector<std::string> words;
  for (int action : actions) {
    words.push_back(Humanize(Strip(v1::Action_Name(static_cast<v1::Action>(action)), "ACTION_")));
  }
  return words;
}

void AddIf(std::vector<view::KeyValue>& facts, const std::string& key, const std::string& value) {
  if (!value.empty()) {
    facts.push_back({key, value});
  }
}

std::string DcvDetail(const v1::DcvInstruction& dcv) {
  if (!dcv.dns_record_name().empty()) {
    return absl::StrCat(dcv.dns_record_name(), " ", dcv.dns_record_type(), " ",
                        dcv.dns_record_value());
  }
  if (!dcv.http_url().empty()) {
    return absl::StrCat(dcv.http_url(), " serving ", dcv.http_content());
  }
  if (!dcv.approver_email().empty()) {
    return absl::StrCat("e-mail to ", dcv.approver_email());
  }
  return "";
}

view::CertificateView ToCertificateView(const v1::Certificate& cert, int index, int count,
                                        const absl::StatusOr<v1::GetWorkflowResponse>& picture) {
  view::CertificateView out;
  out.heading =
      absl::StrCat("Certificate ", index + 1, " of ", count, ": ",
                   Humanize(Strip(v1::CertificateKind_Name(cert.kind()), "CERTIFICATE_KIND_")));
  out.certificate_id = cert.certificate_id();
  out.status = StatusWord(cert.status());
  out.pending = PendingWord(cert.pending_operation());
  out.reseller_code = CodeWord(cert.reseller_code());
  auto& facts = out.facts;
  if (cert.hold_reason() != v1::HOLD_REASON_NONE &&
      cert.hold_reason() != v1::HOLD_REASON_UNSPECIFIED) {
    facts.push_back(
        {"Held because", Humanize(Strip(v1::HoldReason_Name(cert.hold_reason()), "HOLD_REASON_"))});
  }
  AddIf(facts, "Common name", cert.common_name());
  AddIf(facts, "Other names", absl::StrJoin(cert.additional_names(), ", "));
  AddIf(facts, "Activation", When(cert.activation_time()));
  AddIf(facts, "Expiration", When(cert.expiration_time()));
  AddIf(facts, "CA adapter", cert.ca_adapter());
  AddIf(facts, "CA reference", cert.ca_reference());
  AddIf(facts, "CA status (raw)", cert.ca_raw_status());
  AddIf(facts, "Serial number", cert.serial_number());
  AddIf(facts, "Rejection reason", cert.rejection_reason());
  AddIf(facts, "Last error", cert.last_error());
  AddIf(facts, "Follows certificate", cert.predecessor_certificate_id());
  if (cert.period_months() > 0) {
    facts.push_back({"Period", Months(cert.period_months())});
  }
  AddIf(facts, "Created", When(cert.create_time()));
  for (const v1::DcvInstruction& dcv : cert.dcv_instructions()) {
    out.dcv.push_back({dcv.host_name(), Strip(v1::DcvMethod_Name(dcv.method()), "DCV_METHOD_"),
                       DcvDetail(dcv), dcv.status()});
  }
  out.actions = ActionWords(cert.allowed_actions());
  if (picture.ok()) {
    out.picture = view::LayoutPicture(ToPictureInput(*picture));
  } else {
    out.picture_error =
        absl::StrCat("The workflow picture is not available: ", picture.status().message());
  }
  return out;
}

std::string OutcomeClass(const std::string& word) {
  std::string css = "outcome ";
  for (char c : word) {
    css.push_back(c == ' ' ? '-' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return css;
}

view::PrevalidationView ToPrevalidationView(const v1::Order& order) {
  view::PrevalidationView out;
  if (!order.has_prevalidation() || !order.prevalidation().has_report()) {
    return out;
  }
  const v1::Prevalidation& p = order.prevalidation();
  const pv::PrevalidationReport& report = p.report();
  out.present = true;
  out.certificate_id = p.certificate_id();
  out.overall = Humanize(Strip(pv::Overall_Name(report.overall()), "OVERALL_"));
  out.overall_class = OutcomeClass(out.overall);
  out.checked_at = When(report.checked_at());
  out.not_applicable_reason = report.not_applicable_reason();
  out.overridden_by = p.overridden_by();
  out.override_reason = p.override_reason();
  out.override_time = When(p.override_time());
  for (const pv::CheckResult& check : report.checks()) {
    view::CheckRow row;
    row.code = check.code();
    row.outcome = Humanize(Strip(pv::CheckOutcome_Name(check.outcome()), "CHECK_OUTCOME_"));
    row.outcome_class = OutcomeClass(row.outcome);
    row.message = check.message();
    row.evidence = check.evidence();
    row.remedy = check.remedy();
    row.source = check.source();
    out.checks.push_back(std::move(row));
  }
  return out;
}

view::EventRow ToEventRow(const v1::Event& event) {
  view::EventRow row;
  row.time = When(event.occur_time());
  row.certificate_id = event.certificate_id();
  row.type = event.type();
  if (event.from_status() != event.to_status()) {
    const bool from = event.from_status() != v1::CERTIFICATE_STATUS_UNSPECIFIED;
    row.status_change = from ? absl::StrCat(StatusWord(event.from_status()), " \u2192 ",
                                            StatusWord(event.to_status()))
                             : StatusWord(event.to_status());
  }
  if (event.from_pending_operation() != event.to_pending_operation()) {
    auto word = [](v1::PendingOperation op) {
      std::string w = PendingWord(op);
      return w.empty() ? std::string("none") : w;
    };
    row.pending_change = absl::StrCat(word(event.from_pending_operation()), " \u2192 ",
                                      word(event.to_pending_operation()));
  }
  row.actor = event.actor();
  row.reason = event.reason();
  return row;
}

}  // namespace

std::string StatusName(v1::CertificateStatus status) {
  return Strip(v1::CertificateStatus_Name(status), "CERTIFICATE_STATUS_");
}

view::PictureInput ToPictureInput(const v1::GetWorkflowResponse& workflow) {
  view::PictureInput input;
  for (const v1::WorkflowNode& node : workflow.nodes()) {
    input.nodes.push_back({StatusName(node.status()), node.reached(), node.current(),
                           OptionalTime(node.entered_at())});
  }
  for (const v1::WorkflowArrow& arrow : workflow.arrows()) {
    view::ArrowState state = view::ArrowState::kIdle;
    if (arrow.state() == v1::ARROW_STATE_MARKED) {
      state = view::ArrowState::kMarked;
    } else if (arrow.state() == v1::ARROW_STATE_TAKEN) {
      state = view::ArrowState::kTaken;
    }
    input.arrows.push_back({arrow.name(), StatusName(arrow.from_status()),
                            StatusName(arrow.to_status()), state, OptionalTime(arrow.marked_at()),
                            OptionalTime(arrow.taken_at())});
  }
  return input;
}

view::OrderPage ToOrderPage(const v1::Order& order,
                            const std::vector<absl::StatusOr<v1::GetWorkflowResponse>>& pictures,
                            const std::vector<v1::Event>& events, bool events_truncated) {
  view::OrderPage page;
  page.order_id = order.order_id();
  page.external_order_id = order.external_order_id();
  page.external_href = view::ExternalOrderHref(order.external_order_id());
  page.common_name = order.common_name();
  page.closed = order.status() == v1::ORDER_STATUS_CLOSED;
  auto& facts = page.facts;
  facts.push_back(
      {"Order status", Humanize(Strip(v1::OrderStatus_Name(order.status()), "ORDER_STATUS_"))});
  facts.push_back({"Reseller code", CodeWord(order.reseller_code())});
  AddIf(facts, "Product", order.product_id());
  facts.push_back(
      {"Validation", Strip(v1::ValidationType_Name(order.validation_type()), "VALIDATION_TYPE_")});
  if (order.period_months() > 0) {
    facts.push_back({"Period", Months(order.period_months())});
  }
  AddIf(facts, "Other names", absl::StrJoin(order.additional_names(), ", "));
  AddIf(facts, "Stuck since", When(order.stuck_since()));
  AddIf(facts, "Created", When(order.create_time()));
  AddIf(facts, "Updated", When(order.update_time()));
  if (order.has_organization()) {
    const v1::Organization& org = order.organization();
    AddIf(page.organization, "Legal name", org.legal_name());
    AddIf(page.organization, "KvK number", org.kvk_number());
    const std::string street =
        absl::StrCat(org.street(), " ", org.house_number(),
                     org.house_number_addition().empty() ? "" : " ", org.house_number_addition());
    AddIf(page.organization, "Address", street == " " ? "" : street);
    AddIf(page.organization, "Postcode and city",
          absl::StrCat(org.postcode(), org.postcode().empty() ? "" : " ", org.city()));
    AddIf(page.organization, "Country", org.country_code());
    AddIf(page.organization, "Phone", org.phone());
  }
  page.actions = ActionWords(order.allowed_actions());
  const int count = order.certificates_size();
  for (int i = 0; i < count; ++i) {
    const absl::StatusOr<v1::GetWorkflowResponse> missing = absl::UnavailableError("not fetched");
    page.certificates.push_back(
        ToCertificateView(order.certificates(i), i, count,
                          i < static_cast<int>(pictures.size()) ? pictures[i] : missing));
  }
  page.prevalidation = ToPrevalidationView(order);
  for (const v1::Event& event : events) {
    page.events.push_back(ToEventRow(event));
  }
  if (events_truncated) {
    page.events_note = absl::StrCat("Showing the first ", events.size(),
                                    " events; the API has more (ListOrderEvents).");
  }
  return page;
}

view::OrderRow ToOrderRow(const v1::Order& order) {
  view::OrderRow row;
  row.order_id = order.order_id();
  row.href = view::OrderHref(order.order_id());
  row.external_order_id = order.external_order_id();
  row.common_name = order.common_name();
  row.status = Humanize(Strip(v1::OrderStatus_Name(order.status()), "ORDER_STATUS_"));
  row.reseller_code = CodeWord(order.reseller_code());
  if (order.certificates_size() > 0) {
    const v1::Certificate& newest = order.certificates(order.certificates_size() - 1);
    row.certificate_status = StatusWord(newest.status());
    const std::string pending = PendingWord(newest.pending_operation());
    if (!pending.empty()) {
      absl::StrAppend(&row.certificate_status, " (", pending, " marked)");
    }
  }
  row.chain_length = std::to_string(order.certificates_size());
  row.updated = When(order.update_time());
  if (IsSet(order.stuck_since())) {
    row.stuck = absl::StrCat("since ", When(order.stuck_since()));
  }
  return row;
}

}  // namespace sslpanel::console::grpc_glue
