// The console's URLs: order pages by id or by the ordering system's id, and
// list pages with their filters, percent-encoded so any id stays one path
// segment or query value.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sslpanel::console::view {

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(const std::string& text);

std::string OrderHref(const std::string& order_id);
std::string ExternalOrderHref(const std::string& external_order_id);

// "/orders?status=OPEN&page_token=..." from (name, value) pairs; empty values
// are left out.
std::string ListHref(const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace sslpanel::console::view
