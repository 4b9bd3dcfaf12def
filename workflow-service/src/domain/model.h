// The workflow's vocabulary: orders, their certificate chains, events and the
// intents that must reach other services. Plain values; the rules that change
// them live in transitions.h and rules.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::workflow::domain {

enum class CertificateStatus {
  kOpen,
  kRequested,
  kRejected,
  kActive,
  kRevoked,
  kExpired,
  kRenewed
};

// The "marked arrow": an operation started and not finished.
enum class PendingOperation { kNone, kRequest, kCancel };

// Why a certificate with the Requested arrow waits. kCaKeyConflict: the CA
// adapter answered that the submission's idempotency key belongs to another
// request (another workflow database sharing the adapter); nothing is sent
// until someone submits it again (a new key) or cancels it.
// kCaOutcomeUnknown: the adapter sent the submission, lost its answer and
// cannot search the CA for it; the same key is retried slowly (the adapter
// never resends by itself) until an operator resolves it
// (ResolveCaSubmission). kCaAccount: the CA refused for a reason of the
// reseller account; retried with backoff, never a refusal of the order.
// Both are still on their way to the CA (SubmissionAtCa in rules.h).
enum class HoldReason {
  kNone,
  kPrevalidationRunning,
  kPrevalidationFailed,
  kAwaitingCa,
  kCaKeyConflict,
  kCaOutcomeUnknown,
  kCaAccount
};

enum class CertificateKind { kInitial, kReissue, kRenewal };

// Status codes of the reseller (Openprovider) API.
enum class ResellerCode { kPai, kReq, kRej, kFai, kAct, kExp };

enum class ValidationType { kDv, kOv, kEv };

enum class OrderStatus { kOpen, kClosed };

enum class DcvMethod { kEmail, kDns, kHttp, kHttps };

// What a caller may do to an order now.
enum class Action {
  kUpdate,
  kSubmit,
  kCancel,
  kReissue,
  kRenew,
  kOverridePrevalidation,
  kChangeDcvMethod,
  kResendDcvEmail,
  kResolveCaSubmission
};

// Overall outcome of a prevalidation as the workflow needs it.
enum class PrevalidationOutcome { kPass, kFail, kNeedsReview, kNotApplicable };

struct DomainValidation {
  std::string host_name;
  DcvMethod method = DcvMethod::kDns;
  std::string approver_email;

  bool operator==(const DomainValidation&) const = default;
};

struct DcvInstruction {
  std::string host_name;
  DcvMethod method = DcvMethod::kDns;
  std::string dns_record_name;
  std::string dns_record_type;
  std::string dns_record_value;
  std::string http_url;
  std::string http_content;
  std::string approver_email;
  std::string status;

  bool operator==(const DcvInstruction&) const = default;
};

struct Organization {
  std::string legal_name;
  std::string kvk_number;
  std::string street;
  std::string house_number;
  std::string house_number_addition;
  std::string postcode;
  std::string city;
  std::string country_code;
  std::string phone;

  bool operator==(const Organization&) const = default;
};

// What the CA handed over when it issued.
struct IssuedCertificate {
  absl::Time not_before;
  absl::Time not_after;
  std::string certificate_pem;
  std::string chain_pem;
  std::string serial_number;
};

struct Certificate {
  int64_t id = 0;  // assigned by storage; 0 until stored
  CertificateKind kind = CertificateKind::kInitial;
  CertificateStatus status = CertificateStatus::kOpen;
  PendingOperation pending = PendingOperation::kNone;
  HoldReason hold = HoldReason::kNone;
  // Position of the certificate this one reissues or renews, -1 for INITIAL.
  int predecessor = -1;
  // Incremented by every submission; results of an older submission (an
  // edit happened meanwhile) are ignored.
  int submission = 0;

  std::string csr_pem;
  std::string common_name;
  std::vector<std::string> additional_names;
  std::vector<DomainValidation> domain_validations;  // one per name
  int period_months = 12;

  std::string ca_adapter;
  std::string ca_reference;
  std::string ca_raw_status;
  std::vector<DcvInstruction> dcv_instructions;
  std::optional<absl::Time> not_before;
  std::optional<absl::Time> not_after;
  std::string certificate_pem;
  std::string chain_pem;
  std::string serial_number;
  std::string rejection_reason;
  std::string last_error;
  absl::Time created_at = absl::UnixEpoch();
};

struct Order {
  int64_t id = 0;  // assigned by storage
  std::string external_order_id;
  std::string product_id;
  ValidationType validation_type = ValidationType::kDv;
  Organization organization;
  OrderStatus status = OrderStatus::kOpen;
  std::vector<Certificate> certificates;  // the chain, oldest first
  int64_t version = 0;                    // optimistic concurrency, owned by storage
  absl::Time created_at = absl::UnixEpoch();
  absl::Time updated_at = absl::UnixEpoch();
  std::optional<absl::Time> stuck_since;
};

// One change of a certificate's status, pending operation or hold.
struct Event {
  int certificate = 0;                           // position in the chain
  std::string type;                              // "CREATED", "SUBMITTED", "CA_ISSUED", ...
  std::optional<CertificateStatus> from_status;  // empty when the certificate is new
  CertificateStatus to_status = CertificateStatus::kOpen;
  PendingOperation from_pending = PendingOperation::kNone;
  PendingOperation to_pending = PendingOperation::kNone;
  absl::Time at;
  std::string actor;   // free text the caller chose, e.g. "operator:alice"
  std::string caller;  // authenticated: a certificate's identity or "system:<loop>"
  std::string reason;
};

// Work another service must do because of a decision; stored in the outbox
// in the same transaction as the decision.
enum class IntentKind {
  kPrevalidate,    // run prevalidation for the certificate's current submission
  kSubmitToCa,     // SubmitOrder / ReissueCertificate / RenewOrder by kind
  kCancelAtCa,     // cancel a REQUESTED certificate's CA order
  kRevokeAtCa,     // revoke an ACTIVE certificate
  kAbandonAtCa,    // a cancelled OPEN certificate may have reached the CA: cancel by submit key
  kChangeDcvAtCa,  // ChangeDcvMethod of a REQUESTED certificate's CA order
  kResendDcvEmailAtCa,  // ResendDcvEmail of a REQUESTED certificate's CA order
  kResolveAtCa,         // ResolveSubmission of a submission whose outcome is unknown
};

// What a DCV operation or a resolution carries to the CA (empty for the
// other intents).
struct IntentDetail {
  std::vector<DomainValidation> domain_validations;  // kChangeDcvAtCa: the new choices
  std::string host_name;                             // kResendDcvEmailAtCa ("" = every name)
  std::string attach_ca_reference;                   // kResolveAtCa: exactly one of this
  bool resubmit = false;                             // and resubmit
  std::string reason;                                // kResolveAtCa: why (required)
  std::string actor;                                 // kResolveAtCa: the operator

  bool operator==(const IntentDetail&) const = default;
};

struct Intent {
  IntentKind kind;
  int certificate = 0;
  int submission = 0;
  IntentDetail detail;
};

absl::string_view ToString(CertificateStatus status);
absl::string_view ToString(PendingOperation pending);
absl::string_view ToString(HoldReason hold);
absl::string_view ToString(CertificateKind kind);
absl::string_view ToString(ResellerCode code);
absl::string_view ToString(ValidationType type);
absl::string_view ToString(OrderStatus status);
absl::string_view ToString(DcvMethod method);
absl::string_view ToString(Action action);
absl::string_view ToString(IntentKind kind);
absl::string_view ToString(PrevalidationOutcome outcome);

// Parses what ToString wrote (storage round trips); false if unknown.
bool Parse(absl::string_view text, CertificateStatus* out);
bool Parse(absl::string_view text, PendingOperation* out);
bool Parse(absl::string_view text, HoldReason* out);
bool Parse(absl::string_view text, CertificateKind* out);
bool Parse(absl::string_view text, ValidationType* out);
bool Parse(absl::string_view text, OrderStatus* out);
bool Parse(absl::string_view text, DcvMethod* out);
bool Parse(absl::string_view text, IntentKind* out);

}  // namespace sslpanel::workflow::domain
