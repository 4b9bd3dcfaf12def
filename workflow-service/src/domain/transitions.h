// The state machine: given an order, a command and the time, the new order
// plus the events to append and the intents to deliver — or a precise
// refusal. FAILED_PRECONDITION names the status and the action;
// INVALID_ARGUMENT names what is malformed. Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow-service/src/domain/dcv.h"
#include "workflow-service/src/domain/model.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::domain {

namespace command {

// Send a draft (OPEN, nothing pending) on its way.
struct Submit {};
// Change the data of the newest, still OPEN certificate. A held certificate
// is submitted again.
struct Edit {
  std::optional<std::string> csr_pem;
  std::optional<Organization> organization;
  std::optional<std::vector<DomainValidation>> domain_validations;
};
// The prevalidation service answered for a submission.
struct RecordPrevalidation {
  int submission = 0;
  PrevalidationOutcome outcome = PrevalidationOutcome::kPass;
  std::string summary;  // why, for FAIL / NEEDS_REVIEW
};
// An operator lets a held certificate go to the CA anyway.
struct OverridePrevalidation {
  std::string reason;
};
// The CA adapter accepted a submission.
struct CaAccepted {
  int submission = 0;
  std::string ca_reference;
  std::string raw_status;
};
// The CA issued the certificate.
struct CaIssued {
  IssuedCertificate certificate;
  std::string raw_status;
};
// The CA refused the order.
struct CaRefused {
  std::string reason;
  std::string raw_status;
};
// The CA adapter answered that the submission's idempotency key was used
// for a different request: hold it, visibly, until submitted again.
struct CaKeyConflict {
  int submission = 0;
  std::string reason;
};
// The CA adapter answered that a cancellation's or revocation's idempotency
// key was used for a different request (another database sharing this one's
// installation id): the customer's cancel stands and is sent again under a
// new key; repeating a cancellation can order nothing.
struct CaCancelKeyConflict {
  std::string reason;
  // The status the certificate had when the call was sent.
  CertificateStatus sent_for = CertificateStatus::kRequested;
};
// The CA reported progress without a status change (raw status, DCV).
struct CaProgress {
  std::string raw_status;
  std::vector<DcvInstruction> dcv_instructions;
};
// A call to another service failed and will be retried.
struct RecordError {
  std::string error;
};
// The customer cancels.
struct Cancel {
  std::string reason;
};
// The CA reports the order cancelled (before issuance) or the certificate
// revoked, whether we asked or not.
struct CaCancelled {
  std::string raw_status;
};
// The CA refused to cancel or revoke; the Cancel arrow is cleared — unless
// the refusal answers a cancellation that issuance overtook (sent while
// REQUESTED, the certificate ACTIVE now with its revocation under way): that
// refusal is stale and refused, and the customer's cancel still stands.
struct CaCancelRefused {
  std::string reason;
  // The status the certificate had when the call was sent: REQUESTED for a
  // cancellation, ACTIVE for a revocation.
  CertificateStatus sent_for = CertificateStatus::kRequested;
};
// Every ACTIVE certificate whose expiration date has passed expires.
struct ExpireDue {};
// Replace the newest ACTIVE certificate (new CSR and/or names).
struct Reissue {
  std::string csr_pem;
  std::vector<std::string> additional_names;         // empty keeps the current ones
  std::vector<DomainValidation> domain_validations;  // empty keeps the current ones
};
// Renew the newest ACTIVE certificate inside the renewal window.
struct Renew {
  std::string csr_pem;    // empty reuses the current CSR
  int period_months = 0;  // 0 keeps the current period
};

}  // namespace command

using Command =
    std::variant<command::Submit, command::Edit, command::RecordPrevalidation,
                 command::OverridePrevalidation, command::CaAccepted, command::CaIssued,
                 command::CaRefused, command::CaProgress, command::RecordError, command::Cancel,
                 command::CaCancelled, command::CaCancelRefused, command::ExpireDue,
                 command::Reissue, command::Renew, command::CaKeyConflict,
                 command::CaCancelKeyConflict, command::RequestDcvChange,
                 command::RequestDcvEmailResend, command::DcvChanged, command::DcvEmailResent,
                 command::CaOperationFailed, command::RequestCaResolution, command::CaHold>;

// The command's name in refusals and logs, e.g. "cancel".
absl::string_view CommandName(const Command& command);

struct Context {
  absl::Time now;
  std::string actor;
  ProductRules product;
  std::string caller;  // stamped on every event (Event::caller)
};

struct Decision {
  Order order;
  std::vector<Event> events;
  std::vector<Intent> intents;
};

// Applies `command` to certificate `index` of `order` (ignored by ExpireDue,
// Reissue and Renew, which find their certificate themselves when index is
// -1). Certificates whose expiration date has passed are expired first.
absl::StatusOr<Decision> Decide(const Order& order, int index, const Command& command,
                                const Context& context);

// A new order from `order`, which holds exactly one INITIAL certificate with
// its names, CSR, DCV and CA adapter set. Submitted at once unless `draft`.
absl::StatusOr<Decision> CreateOrder(Order order, bool draft, const Context& context);

}  // namespace sslpanel::workflow::domain
