#include "ca-adapter/src/acme/acme_recovery.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/acme_objects.h"
#include "ca-adapter/src/acme/acme_order_status.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {
namespace {

bool SameNames(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

absl::Status Inconclusive(absl::string_view why, const absl::Status& cause = absl::OkStatus()) {
  absl::Status status = absl::UnavailableError(absl::StrCat(
      "cannot tell whether an interrupted attempt already created an ACME order for these names (",
      why, cause.ok() ? "" : ": ", cause.ok() ? "" : cause.message(),
      "); retry with the same idempotency key"));
  cause.ForEachPayload([&status](absl::string_view type_url, const absl::Cord& payload) {
    status.SetPayload(type_url, payload);
  });
  return status;
}

}  // namespace

absl::StatusOr<OrphanSearch> FindOrphanOrder(AcmeClient& client, AcmeStore& store,
                                             const Clock& clock, const Account& account,
                                             const std::vector<std::string>& names, int max_pages,
                                             absl::Time deadline) {
  absl::StatusOr<nlohmann::json> object = client.GetAccount(account, deadline);
  if (!object.ok()) {
    return Inconclusive("reading the account", object.status());
  }
  absl::StatusOr<std::string> page = StringField(*object, "orders", "account");
  if (!page.ok()) {
    return Inconclusive("reading the account", page.status());
  }
  if (page->empty()) {
    OrphanSearch search;
    search.unlisted = true;
    return search;
  }
  for (int pages = 0; !page->empty(); ++pages) {
    if (pages == max_pages) {
      return Inconclusive(absl::StrCat("the account's orders list is longer than ", max_pages,
                                       " pages; raise the page limit"));
    }
    if (clock.Now() >= deadline) {
      return Inconclusive("out of time while reading the account's orders list");
    }
    auto listed = client.ListOrders(account, *page, deadline);
    if (!listed.ok()) {
      return Inconclusive("reading the account's orders list", listed.status());
    }
    for (const std::string& url : listed->first) {
      absl::StatusOr<std::optional<AcmeOrderRecord>> known = store.FindOrder(url);
      if (!known.ok()) {
        return Inconclusive("reading this adapter's orders", known.status());
      }
      if (known->has_value()) {
        continue;
      }
      absl::StatusOr<Order> order = client.GetOrder(account, url, deadline);
      if (!order.ok() && order.status().code() == absl::StatusCode::kNotFound) {
        log::Info("listed ACME order no longer exists", {{"ca_order_id", url}});
        continue;
      }
      if (!order.ok()) {
        return Inconclusive(absl::StrCat("reading listed order ", url), order.status());
      }
      if (!IsDeadOrder(order->status) && SameNames(order->identifiers, names)) {
        OrphanSearch search;
        search.order_url = url;
        return search;
      }
    }
    *page = listed->second;
  }
  return OrphanSearch();
}

}  // namespace sslpanel::ca::acme
