// How a stored ACME order reads as a normalised status, and which ACME
// order states are final failures.
#pragma once

#include <optional>
#include <string>

#include "ca-adapter/src/acme/acme_order.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::acme {

// Order states from which the CA will never issue. RFC 8555 names only
// "invalid"; Pebble reports the status of the authorization that ended the
// order ("deactivated" after a cancel, "expired", "revoked").
bool IsDeadOrder(const std::string& acme_status);

// A status for `record` with no DCV instructions and no certificate.
domain::OrderStatus StatusOf(const AcmeOrderRecord& record, domain::OrderState state,
                             std::string raw_status);

// The status of an order the CA has finished with (issued, revoked, refused
// or cancelled), from storage alone; nullopt while it is in progress.
std::optional<domain::OrderStatus> SettledStatus(const AcmeOrderRecord& record);

}  // namespace sslpanel::ca::acme
