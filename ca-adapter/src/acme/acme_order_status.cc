#include "ca-adapter/src/acme/acme_order_status.h"

namespace sslpanel::ca::acme {

using domain::OrderState;
using domain::OrderStatus;

bool IsDeadOrder(const std::string& acme_status) {
  return acme_status == "invalid" || acme_status == "deactivated" || acme_status == "expired" ||
         acme_status == "revoked";
}

OrderStatus StatusOf(const AcmeOrderRecord& record, OrderState state, std::string raw_status) {
  OrderStatus status;
  status.ca_order_id = record.order_url;
  status.state = state;
  status.raw_status = std::move(raw_status);
  return status;
}

std::optional<OrderStatus> SettledStatus(const AcmeOrderRecord& record) {
  if (record.certificate.has_value()) {
    const bool revoked = record.revoked_at.has_value();
    OrderStatus status = StatusOf(record, revoked ? OrderState::kRevoked : OrderState::kIssued,
                                  revoked ? "revoked" : "valid");
    status.certificate = record.certificate;
    return status;
  }
  if (IsDeadOrder(record.acme_status)) {
    if (record.cancelled_at.has_value()) {
      return StatusOf(record, OrderState::kCancelled, record.acme_status);
    }
    OrderStatus status = StatusOf(record, OrderState::kRefused, record.acme_status);
    status.refusal_reason = record.refusal_reason;
    return status;
  }
  return std::nullopt;
}

}  // namespace sslpanel::ca::acme
