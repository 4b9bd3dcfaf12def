// Recovery of a newOrder whose answer was lost (timeout, 5xx, crash): ACME
// has no idempotency key, so the order it may have created is found through
// the account's orders list (RFC 8555 section 7.1.2.1). The search fails
// closed: when it cannot read the whole list, it says so (UNAVAILABLE)
// instead of "none", because "none" makes the caller create a second order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/acme/acme_client.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "common/time/clock.h"

namespace sslpanel::ca::acme {

struct OrphanSearch {
  // The order found; nullopt when there is none (or no list to search).
  std::optional<std::string> order_url;
  // The CA offers no orders list (Let's Encrypt does not): nothing could be
  // searched, so nobody can tell whether an order exists.
  bool unlisted = false;
};

// Looks for an order for exactly `names` that the account has at the CA,
// that has not failed, and that no row of `store` knows. Reads the whole
// list, at most `max_pages` pages. UNAVAILABLE (retry later with the same
// key) when anything stops it from reading every listed order: a failed
// request (except a 404 for one listed order, which no longer exists), an
// unreadable answer, the deadline, or a list longer than `max_pages`. The
// cause's payloads (retry-after, ACME problem type) are kept.
absl::StatusOr<OrphanSearch> FindOrphanOrder(AcmeClient& client, AcmeStore& store,
                                             const Clock& clock, const Account& account,
                                             const std::vector<std::string>& names, int max_pages,
                                             absl::Time deadline);

}  // namespace sslpanel::ca::acme
