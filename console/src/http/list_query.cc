#include "console/src/http/list_query.h"

#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "console/src/grpc/to_view.h"
#include "console/src/view/links.h"

namespace sslpanel::console::http {
namespace {

std::string Param(const std::multimap<std::string, std::string>& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

// Looks `value` up among the enum's names with `prefix` stripped; 0 (the
// UNSPECIFIED value, "no filter") for an empty value.
template <typename Enum, typename Parse>
absl::StatusOr<int> ParseEnum(const std::string& name, const std::string& value,
                              const std::string& prefix, Parse parse) {
  if (value.empty()) {
    return 0;
  }
  Enum parsed;
  if (value.find("UNSPECIFIED") != std::string::npos || !parse(prefix + value, &parsed)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": unknown value \"", value, "\""));
  }
  return static_cast<int>(parsed);
}

absl::StatusOr<int> ParseInt(const std::string& name, const std::string& value, int min, int max) {
  if (value.empty()) {
    return 0;
  }
  int parsed = 0;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < min || parsed > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": \"", value, "\" is not a whole number from ", min, " to ", max));
  }
  return parsed;
}

std::vector<view::Option> Options(int selected, const std::string& prefix,
                                  const std::function<std::string(int)>& name_of, int first,
                                  int last, bool humanize) {
  std::vector<view::Option> options = {{"", "any", selected == 0}};
  for (int value = first; value <= last; ++value) {
    std::string name = name_of(value);
    if (name.rfind(prefix, 0) == 0) {
      name = name.substr(prefix.size());
    }
    options.push_back({name, humanize ? view::Humanize(name) : name, selected == value});
  }
  return options;
}

}  // namespace

absl::StatusOr<v1::ListOrdersRequest> ParseListQuery(
    const std::multimap<std::string, std::string>& params) {
  v1::ListOrdersRequest request;
  auto status = ParseEnum<v1::OrderStatus>(
      "status", Param(params, "status"), "ORDER_STATUS_",
      [](const std::string& n, v1::OrderStatus* v) { return v1::OrderStatus_Parse(n, v); });
  if (!status.ok()) {
    return status.status();
  }
  request.set_order_status(static_cast<v1::OrderStatus>(*status));
  auto cert_status = ParseEnum<v1::CertificateStatus>(
      "certificate_status", Param(params, "certificate_status"), "CERTIFICATE_STATUS_",
      [](const std::string& n, v1::CertificateStatus* v) {
        return v1::CertificateStatus_Parse(n, v);
      });
  if (!cert_status.ok()) {
    return cert_status.status();
  }
  request.set_certificate_status(static_cast<v1::CertificateStatus>(*cert_status));
  auto code = ParseEnum<v1::ResellerCode>(
      "reseller_code", Param(params, "reseller_code"), "RESELLER_CODE_",
      [](const std::string& n, v1::ResellerCode* v) { return v1::ResellerCode_Parse(n, v); });
  if (!code.ok()) {
    return code.status();
  }
  request.set_reseller_code(static_cast<v1::ResellerCode>(*code));
  request.set_common_name_pattern(Param(params, "host"));
  auto days = ParseInt("expiring_within_days", Param(params, "expiring_within_days"), 0, 3650);
  if (!days.ok()) {
    return days.status();
  }
  request.set_expiring_within_days(*days);
  const std::string stuck = Param(params, "stuck");
  if (!stuck.empty() && stuck != "1" && stuck != "on" && stuck != "true") {
    return absl::InvalidArgumentError(absl::StrCat("stuck: \"", stuck, "\" is not 1"));
  }
  request.set_stuck(!stuck.empty());
  auto page_size = ParseInt("page_size", Param(params, "page_size"), 1, 500);
  if (!page_size.ok()) {
    return page_size.status();
  }
  request.set_page_size(*page_size);
  request.set_page_token(Param(params, "page_token"));
  return request;
}

view::ListPage ToListPage(const v1::ListOrdersRequest& request,
                          const v1::ListOrdersResponse& response) {
  view::ListPage page;
  page.order_statuses = Options(
      request.order_status(), "ORDER_STATUS_",
      [](int v) { return v1::OrderStatus_Name(static_cast<v1::OrderStatus>(v)); }, 1, 2, true);
  page.certificate_statuses = Options(
      request.certificate_status(), "CERTIFICATE_STATUS_",
      [](int v) { return v1::CertificateStatus_Name(static_cast<v1::CertificateStatus>(v)); }, 1, 7,
      true);
  page.reseller_codes = Options(
      request.reseller_code(), "RESELLER_CODE_",
      [](int v) { return v1::ResellerCode_Name(static_cast<v1::ResellerCode>(v)); }, 1, 6, false);
  page.common_name_pattern = request.common_name_pattern();
  page.expiring_within_days =
      request.expiring_within_days() > 0 ? std::to_string(request.expiring_within_days()) : "";
  page.page_size = request.page_size() > 0 ? std::to_string(request.page_size()) : "";
  page.stuck = request.stuck();
  for (const v1::Order& order : response.orders()) {
    page.rows.push_back(grpc_glue::ToOrderRow(order));
  }
  if (!response.next_page_token().empty()) {
    auto selected = [](const std::vector<view::Option>& options) {
      for (const view::Option& option : options) {
        if (option.selected) {
          return option.value;
        }
      }
      return std::string();
    };
    page.next_href = view::ListHref({
        {"status", selected(page.order_statuses)},
        {"certificate_status", selected(page.certificate_statuses)},
        {"reseller_code", selected(page.reseller_codes)},
        {"host", page.common_name_pattern},
        {"expiring_within_days", page.expiring_within_days},
        {"stuck", page.stuck ? "1" : ""},
        {"page_size", page.page_size},
        {"page_token", response.next_page_token()},
    });
  }
  return page;
}

}  // namespace sslpanel::console::http
