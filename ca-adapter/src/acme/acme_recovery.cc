#include "ca-adapter/src/acme/acme_recovery.h"

#include <algorithm>

#include "ca-adapter/src/acme/acme_order_status.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {
namespace {

bool SameNames(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> FindOrphanOrder(AcmeClient& client, AcmeStore& store,
                                                           const Account& account,
                                                           const std::vector<std::string>& names,
                                                           int max_pages, absl::Time deadline) {
  absl::StatusOr<nlohmann::json> object = client.GetAccount(account, deadline);
  if (!object.ok()) {
    return object.status();
  }
  std::string page = object->is_object() ? object->value("orders", "") : "";
  if (page.empty()) {
    log::Warning(
        "the ACME CA lists no orders for the account; cannot look for an order an "
        "interrupted submit created");
    return std::optional<std::string>();
  }
  for (int pages = 0; !page.empty() && pages < max_pages; ++pages) {
    auto listed = client.ListOrders(account, page, deadline);
    if (!listed.ok()) {
      return listed.status();
    }
    for (const std::string& url : listed->first) {
      absl::StatusOr<std::optional<AcmeOrderRecord>> known = store.FindOrder(url);
      if (!known.ok()) {
        return known.status();
      }
      if (known->has_value()) {
        continue;
      }
      absl::StatusOr<Order> order = client.GetOrder(account, url, deadline);
      if (order.ok() && !IsDeadOrder(order->status) && SameNames(order->identifiers, names)) {
        return std::optional<std::string>(url);
      }
    }
    page = listed->second;
  }
  return std::optional<std::string>();
}

}  // namespace sslpanel::ca::acme
