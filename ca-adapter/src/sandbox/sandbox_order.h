// One order at the sandbox CA, as it is stored: what was asked, the outcome
// the sandbox scripted for it when it arrived, and what has happened since.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::sandbox {

enum class OrderKind { kInitial, kReissue, kRenewal };

// Decided once, at submission, from the names and the configured labels, so
// a configuration change never alters an order in flight.
// kIssueOnCancel stays pending until a cancellation arrives and is issued at
// that very moment, so the cancellation is refused as for an issued order:
// the race between a customer's cancel and issuance, forced.
enum class ScriptedOutcome { kIssue, kRefuse, kPendingForever, kIssueOnCancel };

struct SandboxOrder {
  std::string ca_order_id;
  std::string idempotency_key;
  OrderKind kind = OrderKind::kInitial;
  std::string original_ca_order_id;  // reissue and renewal: the order replaced

  domain::OrderState state = domain::OrderState::kPending;
  std::string raw_status;
  std::vector<std::string> names;  // the first is the common name
  std::string csr_pem;
  domain::ValidationType validation_type = domain::ValidationType::kDv;
  int period_months = 0;
  std::optional<domain::Organization> organization;
  std::vector<domain::DcvInstruction> dcv_instructions;

  ScriptedOutcome outcome = ScriptedOutcome::kIssue;
  absl::Time submitted_at;
  absl::Time decide_at;  // when the outcome takes effect (at the next poll)
  std::optional<absl::Duration> validity_override;  // short-validity label
  std::optional<absl::Time> fixed_not_after;        // reissue: the original's
  std::string refusal_reason;

  std::optional<domain::IssuedCertificate> certificate;
  std::optional<absl::Time> issued_at;

  std::optional<absl::Time> cancel_requested_at;
  std::optional<absl::Time> cancel_effective_at;
  std::string cancel_reason;
  std::optional<absl::Time> revoke_requested_at;
  std::optional<absl::Time> revoke_effective_at;
  domain::RevocationReason revocation_reason = domain::RevocationReason::kUnspecified;

  int version = 0;  // optimistic concurrency: every update checks and bumps it
};

}  // namespace sslpanel::ca::sandbox
