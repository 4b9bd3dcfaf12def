#include "console/src/view/links.h"

#include "absl/strings/str_cat.h"

namespace sslpanel::console::view {

std::string PercentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string OrderHref(const std::string& order_id) {
  return absl::StrCat("/orders/", PercentEncode(order_id));
}

std::string ExternalOrderHref(const std::string& external_order_id) {
  return absl::StrCat("/orders/by-external/", PercentEncode(external_order_id));
}

std::string ListHref(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string href = "/orders";
  char separator = '?';
  for (const auto& [name, value] : query) {
    if (value.empty()) {
      continue;
    }
    absl::StrAppend(&href, std::string(1, separator), PercentEncode(name), "=",
                    PercentEncode(value));
    separator = '&';
  }
  return href;
}

}  // namespace sslpanel::console::view
