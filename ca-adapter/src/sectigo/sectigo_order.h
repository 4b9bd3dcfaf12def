// One Sectigo order as the adapter keeps it (sectigo_orders, migration
// 0005): the creating call recorded before it is sent, what became of it at
// the CA, and the last status read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"
#include "ca-adapter/src/sectigo/sectigo_wire.h"

namespace sslpanel::ca::sectigo {

enum class OrderKind { kInitial, kReissue, kRenewal };

// What is known about the creating call at the CA.
enum class SendState {
  kNotSent,  // nothing can have reached the CA: sending is safe
  kSending,  // a request may have reached it: look it up before sending again
  kCreated,  // the CA order exists (ca_order_id)
  kRefused,  // the CA refused the request: nothing was created
};

struct SectigoOrder {
  std::string idempotency_key;
  OrderKind kind = OrderKind::kInitial;
  std::string original_ca_order_id;  // reissue, renewal
  std::string unique_value;
  std::string foreign_order_number;
  std::string common_name;
  std::vector<std::string> names;  // common name first
  std::string csr_pem;
  std::vector<domain::DomainValidation> domain_validations;
  std::string product_code;
  // The endpoint's parameters without credentials, so an operator's
  // resubmit sends exactly what was asked.
  Form request;

  SendState send_state = SendState::kNotSent;
  int sends = 0;
  std::optional<absl::Time> first_sent_at;
  std::optional<absl::Time> last_sent_at;

  // "<orderNumber>" for a new order, "<orderNumber>-<certificateID>" for a
  // replacement (AutoReplaceSSL keeps the order number).
  std::string ca_order_id;
  std::string order_number;
  std::string certificate_id;

  domain::OrderState state = domain::OrderState::kPending;
  std::string raw_status;
  std::string refusal_reason;
  std::optional<absl::Time> last_polled_at;
  std::optional<absl::Time> cancel_requested_at;
  std::optional<absl::Time> revoke_requested_at;
  std::optional<domain::IssuedCertificate> certificate;

  // An operator's ResolveSubmission: "attach" or "resubmit".
  std::string resolution;
  std::string resolved_by;
  std::string resolve_reason;
  std::optional<absl::Time> resolved_at;

  int version = 0;
};

}  // namespace sslpanel::ca::sectigo
