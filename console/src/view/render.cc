#include "console/src/view/render.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "console/src/view/templates.h"
#include "kainjow/mustache.hpp"

namespace sslpanel::console::view {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

data List() { return data(data::type::list); }

data Str(const std::string& value) { return data(value); }
data Num(int value) { return data(std::to_string(value)); }
// kainjow treats every string as true in a section, so flags are explicit.
data Flag(bool value) { return data(value); }

data KeyValues(const std::vector<KeyValue>& items) {
  data list = List();
  for (const KeyValue& item : items) {
    data entry;
    entry.set("key", Str(item.key));
    entry.set("value", Str(item.value));
    list.push_back(entry);
  }
  return list;
}

data Strings(const std::vector<std::string>& items) {
  data list = List();
  for (const std::string& item : items) {
    list.push_back(Str(item));
  }
  return list;
}

data PictureData(const SvgPicture& picture, const std::string& suffix) {
  data out;
  out.set("width", Num(picture.width));
  out.set("height", Num(picture.height));
  out.set("summary", Str(picture.summary));
  out.set("suffix", Str(suffix));
  data arrows = List();
  for (const SvgArrow& arrow : picture.arrows) {
    data a;
    a.set("name", Str(arrow.name));
    a.set("from", Str(arrow.from));
    a.set("to", Str(arrow.to));
    a.set("state", Str(arrow.state));
    a.set("css_class", Str(arrow.css_class));
    a.set("title", Str(arrow.title));
    a.set("x1", Num(arrow.x1));
    a.set("y1", Num(arrow.y1));
    a.set("x2", Num(arrow.x2));
    a.set("y2", Num(arrow.y2));
    a.set("has_label", Flag(!arrow.label.empty()));
    a.set("label", Str(arrow.label));
    a.set("label_class", Str(arrow.label_class));
    a.set("label_x", Num(arrow.label_x));
    a.set("label_y", Num(arrow.label_y));
    arrows.push_back(a);
  }
  out.set("arrows", arrows);
  data boxes = List();
  for (const SvgBox& box : picture.boxes) {
    data b;
    b.set("status", Str(box.status));
    b.set("label", Str(box.label));
    b.set("css_class", Str(box.css_class));
    b.set("title", Str(box.title));
    b.set("reached", Flag(box.reached));
    b.set("current", Flag(box.current));
    b.set("reached_text", Str(box.reached ? "true" : "false"));
    b.set("current_text", Str(box.current ? "true" : "false"));
    b.set("x", Num(box.x));
    b.set("y", Num(box.y));
    b.set("width", Num(box.width));
    b.set("height", Num(box.height));
    b.set("text_x", Num(box.text_x));
    // The current box carries a second line ("current"), so its label moves up.
    b.set("text_y", Num(box.current ? box.text_y - 6 : box.text_y));
    b.set("sub_y", Num(box.text_y + 10));
    boxes.push_back(b);
  }
  out.set("boxes", boxes);
  return out;
}

data CertificateData(const CertificateView& cert, int index) {
  data c;
  c.set("heading", Str(cert.heading));
  c.set("certificate_id", Str(cert.certificate_id));
  c.set("status", Str(cert.status));
  c.set("has_pending", Flag(!cert.pending.empty()));
  c.set("pending", Str(cert.pending));
  c.set("reseller_code", Str(cert.reseller_code));
  c.set("facts", KeyValues(cert.facts));
  c.set("has_dcv", Flag(!cert.dcv.empty()));
  data dcv = List();
  for (const DcvRow& row : cert.dcv) {
    data r;
    r.set("host_name", Str(row.host_name));
    r.set("method", Str(row.method));
    r.set("detail", Str(row.detail));
    r.set("status", Str(row.status));
    dcv.push_back(r);
  }
  c.set("dcv", dcv);
  c.set("has_actions", Flag(!cert.actions.empty()));
  c.set("actions", Strings(cert.actions));
  const bool has_picture = cert.picture_error.empty() && !cert.picture.boxes.empty();
  c.set("has_picture", Flag(has_picture));
  // Marker ids must be unique in the document; the index is, and it is safe
  // in a url(#...) reference whatever the certificate id looks like.
  c.set("picture", PictureData(cert.picture, std::to_string(index)));
  c.set("has_picture_error", Flag(!cert.picture_error.empty()));
  c.set("picture_error", Str(cert.picture_error));
  return c;
}

data PrevalidationData(const PrevalidationView& p) {
  data out;
  out.set("certificate_id", Str(p.certificate_id));
  out.set("overall", Str(p.overall));
  out.set("overall_class", Str(p.overall_class));
  out.set("has_checked_at", Flag(!p.checked_at.empty()));
  out.set("checked_at", Str(p.checked_at));
  out.set("has_not_applicable", Flag(!p.not_applicable_reason.empty()));
  out.set("not_applicable_reason", Str(p.not_applicable_reason));
  out.set("has_override", Flag(!p.overridden_by.empty()));
  out.set("overridden_by", Str(p.overridden_by));
  out.set("override_reason", Str(p.override_reason));
  out.set("override_time", Str(p.override_time));
  out.set("has_checks", Flag(!p.checks.empty()));
  data checks = List();
  for (const CheckRow& check : p.checks) {
    data r;
    r.set("code", Str(check.code));
    r.set("outcome", Str(check.outcome));
    r.set("outcome_class", Str(check.outcome_class));
    r.set("message", Str(check.message));
    r.set("evidence", Str(check.evidence));
    r.set("remedy", Str(check.remedy));
    r.set("source", Str(check.source));
    checks.push_back(r);
  }
  out.set("checks", checks);
  return out;
}

std::string Render(std::string_view text, const data& values) {
  mustache tmpl{std::string(text)};
  if (!tmpl.is_valid()) {
    // The templates are constants covered by the unit tests; reaching this
    // is a programming error, reported without echoing any data.
    return "template error";
  }
  return tmpl.render(values);
}

std::string Document(const std::string& title, const std::string& body) {
  data layout;
  layout.set("title", Str(title));
  layout.set("body", Str(body));  // written with {{{ }}}: rendered (escaped) above
  return Render(templates::kLayout, layout);
}

}  // namespace

std::string RenderOrderPage(const OrderPage& page) {
  data values;
  values.set("order_id", Str(page.order_id));
  values.set("external_order_id", Str(page.external_order_id));
  values.set("external_href", Str(page.external_href));
  values.set("common_name", Str(page.common_name));
  values.set("facts", KeyValues(page.facts));
  values.set("has_organization", Flag(!page.organization.empty()));
  values.set("organization", KeyValues(page.organization));
  values.set("has_actions", Flag(!page.actions.empty()));
  values.set("actions", Strings(page.actions));
  values.set("no_actions", Str(page.closed ? "None: the order is closed." : "None right now."));
  data certificates = List();
  for (size_t i = 0; i < page.certificates.size(); ++i) {
    certificates.push_back(CertificateData(page.certificates[i], static_cast<int>(i)));
  }
  values.set("certificates", certificates);
  values.set("has_prevalidation", Flag(page.prevalidation.present));
  values.set("prevalidation", PrevalidationData(page.prevalidation));
  data events = List();
  for (const EventRow& event : page.events) {
    data e;
    e.set("time", Str(event.time));
    e.set("certificate_id", Str(event.certificate_id));
    e.set("type", Str(event.type));
    e.set("status_change", Str(event.status_change));
    e.set("pending_change", Str(event.pending_change));
    e.set("actor", Str(event.actor));
    e.set("reason", Str(event.reason));
    events.push_back(e);
  }
  values.set("events", events);
  values.set("has_events_note", Flag(!page.events_note.empty()));
  values.set("events_note", Str(page.events_note));
  return Document(absl::StrCat("Order ", page.order_id), Render(templates::kOrderBody, values));
}

std::string RenderListPage(const ListPage& page) {
  data values;
  auto options = [](const std::vector<Option>& items) {
    data list = List();
    for (const Option& option : items) {
      data o;
      o.set("value", Str(option.value));
      o.set("label", Str(option.label));
      o.set("selected", Flag(option.selected));
      list.push_back(o);
    }
    return list;
  };
  values.set("order_statuses", options(page.order_statuses));
  values.set("certificate_statuses", options(page.certificate_statuses));
  values.set("reseller_codes", options(page.reseller_codes));
  values.set("common_name_pattern", Str(page.common_name_pattern));
  values.set("expiring_within_days", Str(page.expiring_within_days));
  values.set("page_size", Str(page.page_size));
  values.set("stuck", Flag(page.stuck));
  data rows = List();
  for (const OrderRow& row : page.rows) {
    data r;
    r.set("order_id", Str(row.order_id));
    r.set("href", Str(row.href));
    r.set("external_order_id", Str(row.external_order_id));
    r.set("common_name", Str(row.common_name));
    r.set("status", Str(row.status));
    r.set("reseller_code", Str(row.reseller_code));
    r.set("certificate_status", Str(row.certificate_status));
    r.set("chain_length", Str(row.chain_length));
    r.set("updated", Str(row.updated));
    r.set("stuck", Str(row.stuck));
    rows.push_back(r);
  }
  values.set("rows", rows);
  values.set("has_next", Flag(!page.next_href.empty()));
  values.set("next_href", Str(page.next_href));
  return Document("Orders", Render(templates::kListBody, values));
}

std::string RenderErrorPage(const ErrorPage& page) {
  data values;
  values.set("title", Str(page.title));
  values.set("http_status", Num(page.http_status));
  values.set("message", Str(page.message));
  values.set("has_hint", Flag(!page.hint.empty()));
  values.set("hint", Str(page.hint));
  return Document(page.title, Render(templates::kErrorBody, values));
}

std::string_view Stylesheet() { return templates::kStylesheet; }

}  // namespace sslpanel::console::view
