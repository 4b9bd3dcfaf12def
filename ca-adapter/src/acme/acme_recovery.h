// Recovery of a newOrder whose answer was lost (timeout, crash): ACME has
// no idempotency key, so the order it may have created is found through the
// account's orders list (RFC 8555 section 7.1.2.1).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/acme/acme_client.h"
#include "ca-adapter/src/acme/acme_store.h"

namespace sslpanel::ca::acme {

// The URL of an order for exactly `names` that the account has at the CA,
// that has not failed, and that no row of `store` knows; nullopt when there
// is none (or the CA lists no orders). Reads at most `max_pages` pages.
absl::StatusOr<std::optional<std::string>> FindOrphanOrder(AcmeClient& client, AcmeStore& store,
                                                           const Account& account,
                                                           const std::vector<std::string>& names,
                                                           int max_pages, absl::Time deadline);

}  // namespace sslpanel::ca::acme
