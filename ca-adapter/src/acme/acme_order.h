// What the ACME adapter remembers of one ACME order: the CA keeps the order
// itself; we keep what we asked for (names, CSR, DCV choices), what we did
// (challenges answered, finalized, cancelled, revoked) and, once issued, the
// certificate, so polls of an issued order need not reach the CA.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::acme {

enum class OrderKind { kInitial, kReissue, kRenewal };

struct AcmeOrderRecord {
  std::string order_url;  // the ca_order_id
  std::string idempotency_key;
  std::string account_url;
  OrderKind kind = OrderKind::kInitial;
  std::string original_order_url;
  std::vector<std::string> names;
  std::vector<domain::DomainValidation> domain_validations;
  std::string csr_pem;
  std::string acme_status;  // the CA's order status when last seen
  absl::Time submitted_at;
  std::optional<absl::Time> challenges_answered_at;
  std::optional<absl::Time> finalized_at;
  std::optional<absl::Time> cancelled_at;
  std::string cancel_reason;
  std::optional<absl::Time> revoked_at;
  domain::RevocationReason revocation_reason = domain::RevocationReason::kUnspecified;
  std::string refusal_reason;
  std::optional<domain::IssuedCertificate> certificate;
  int version = 0;
};

}  // namespace sslpanel::ca::acme
