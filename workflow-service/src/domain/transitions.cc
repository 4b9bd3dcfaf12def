#include "workflow-service/src/domain/transitions.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::domain {
namespace {

using command::CaAccepted;
using command::CaCancelKeyConflict;
using command::CaCancelled;
using command::CaCancelRefused;
using command::CaIssued;
using command::CaKeyConflict;
using command::Cancel;
using command::CaProgress;
using command::CaRefused;
using command::Edit;
using command::ExpireDue;
using command::OverridePrevalidation;
using command::RecordError;
using command::RecordPrevalidation;
using command::Reissue;
using command::Renew;
using command::Submit;

std::string Describe(const Certificate& c) {
  std::string text(ToString(c.status));
  if (c.pending == PendingOperation::kRequest) {
    absl::StrAppend(&text, " with the Requested arrow marked");
  } else if (c.pending == PendingOperation::kCancel) {
    absl::StrAppend(&text, " with the Cancel arrow marked");
  }
  return text;
}

// Applies one command to a copy of the order, collecting events and intents.
class Decider {
 public:
  Decider(const Order& order, const Context& context) : context_(context) {
    decision_.order = order;
  }

  Order& order() { return decision_.order; }
  Certificate& cert(int index) { return decision_.order.certificates[index]; }

  // FAILED_PRECONDITION naming the action, the certificate and its state.
  absl::Status Refuse(int index, absl::string_view why = "") {
    const Certificate& c = cert(index);
    return absl::FailedPreconditionError(absl::StrCat("cannot ", action_, ": certificate ",
                                                      index + 1, " (", ToString(c.kind), ") is ",
                                                      Describe(c), why.empty() ? "" : "; ", why));
  }

  void set_action(absl::string_view action) { action_ = action; }

  // Changes a certificate's state and appends the event that records it.
  void Change(int index, absl::string_view type, CertificateStatus status, PendingOperation pending,
              HoldReason hold, absl::string_view reason = "",
              std::optional<absl::Time> at = std::nullopt) {
    Certificate& c = cert(index);
    Event event;
    event.certificate = index;
    event.type = std::string(type);
    event.from_status = c.status;
    event.to_status = status;
    event.from_pending = c.pending;
    event.to_pending = pending;
    event.at = at.value_or(context_.now);
    event.actor = context_.actor;
    event.caller = context_.caller;
    event.reason = std::string(reason);
    c.status = status;
    c.pending = pending;
    c.hold = hold;
    decision_.events.push_back(std::move(event));
  }

  void Created(int index) {
    Event event;
    event.certificate = index;
    event.type = "CREATED";
    event.to_status = CertificateStatus::kOpen;
    event.at = context_.now;
    event.actor = context_.actor;
    event.caller = context_.caller;
    decision_.events.push_back(std::move(event));
  }

  void Intend(IntentKind kind, int index, IntentDetail detail = {}) {
    decision_.intents.push_back({kind, index, cert(index).submission, std::move(detail)});
  }

  // A DCV or hold step (dcv.h): its event, hold and intent.
  absl::Status Take(int index, const absl::StatusOr<DcvStep>& step) {
    if (!step.ok()) {
      return step.status().code() == absl::StatusCode::kFailedPrecondition
                 ? Refuse(index, step.status().message())
                 : step.status();
    }
    const Certificate& c = cert(index);
    if (step->event.empty()) {
      cert(index).hold = step->hold;
    } else {
      Change(index, step->event, c.status, c.pending, step->hold, step->reason);
    }
    if (step->intent.has_value()) {
      Intend(*step->intent, index, step->detail);
    }
    return absl::OkStatus();
  }

  // The DCV commands work on a copy of the certificate so a refusal leaves
  // the decision untouched.
  template <typename Cmd>
  absl::Status ApplyDcvCommand(int index, const Cmd& cmd) {
    Certificate copy = cert(index);
    absl::StatusOr<DcvStep> step = ApplyDcv(copy, cmd);
    if (step.ok()) {
      copy.status = cert(index).status;
      copy.pending = cert(index).pending;
      copy.hold = cert(index).hold;
      cert(index) = std::move(copy);
    }
    return Take(index, step);
  }

  absl::Status Apply(int index, const command::RequestDcvChange& cmd) {
    return ApplyDcvCommand(index, cmd);
  }
  absl::Status Apply(int index, const command::RequestDcvEmailResend& cmd) {
    return ApplyDcvCommand(index, cmd);
  }
  absl::Status Apply(int index, const command::DcvChanged& cmd) {
    return ApplyDcvCommand(index, cmd);
  }
  absl::Status Apply(int index, const command::DcvEmailResent& cmd) {
    return ApplyDcvCommand(index, cmd);
  }
  absl::Status Apply(int index, const command::CaOperationFailed& cmd) {
    return ApplyDcvCommand(index, cmd);
  }
  absl::Status Apply(int index, const command::CaHold& cmd) { return ApplyDcvCommand(index, cmd); }
  absl::Status Apply(int index, const command::RequestCaResolution& cmd) {
    Certificate copy = cert(index);
    // The operator as authenticated where callers are, else as typed.
    const bool authenticated =
        !context_.caller.empty() && !absl::StartsWith(context_.caller, "system:");
    absl::StatusOr<DcvStep> step =
        ApplyDcv(copy, cmd, authenticated ? context_.caller : context_.actor);
    return Take(index, step);
  }

  // Starts a submission: prevalidation first where it applies, else the CA.
  void StartSubmission(int index, absl::string_view type) {
    Certificate& c = cert(index);
    ++c.submission;
    c.last_error.clear();
    if (PrevalidationApplies(order().validation_type, c.common_name,
                             order().organization.country_code)) {
      Change(index, type, CertificateStatus::kOpen, PendingOperation::kRequest,
             HoldReason::kPrevalidationRunning);
      Intend(IntentKind::kPrevalidate, index);
    } else {
      Change(index, type, CertificateStatus::kOpen, PendingOperation::kRequest,
             HoldReason::kAwaitingCa);
      Intend(IntentKind::kSubmitToCa, index);
    }
  }

  // A renewal that ends REJECTED or REVOKED hands the predecessor back its
  // ACTIVE status (it is a valid certificate nobody revoked), or EXPIRED
  // (stamped with its expiration date) when that has passed. A revoked
  // renewal is usually a cancel that issuance overtook: the customer ends
  // where the cancel winning would have left them.
  void RestorePredecessor(int index, absl::string_view ended) {
    const Certificate& c = cert(index);
    if (c.kind != CertificateKind::kRenewal || c.predecessor < 0) {
      return;
    }
    Certificate& previous = cert(c.predecessor);
    if (previous.status != CertificateStatus::kRenewed) {
      return;
    }
    if (previous.not_after.has_value() && *previous.not_after <= context_.now) {
      Change(c.predecessor, "EXPIRED", CertificateStatus::kExpired, PendingOperation::kNone,
             HoldReason::kNone, "expiration date passed while the renewal was pending",
             *previous.not_after);
    } else {
      Change(c.predecessor, "RENEWAL_FAILED", CertificateStatus::kActive, PendingOperation::kNone,
             HoldReason::kNone, absl::StrCat("renewal certificate ", index + 1, " was ", ended));
    }
  }

  void Reject(int index, absl::string_view type, absl::string_view reason) {
    cert(index).rejection_reason = std::string(reason);
    Change(index, type, CertificateStatus::kRejected, PendingOperation::kNone, HoldReason::kNone,
           reason);
    RestorePredecessor(index, "rejected");
  }

  int ExpireAllDue() {
    int expired = 0;
    for (int i = 0; i < static_cast<int>(order().certificates.size()); ++i) {
      Certificate& c = cert(i);
      if (c.status == CertificateStatus::kActive && c.not_after.has_value() &&
          *c.not_after <= context_.now) {
        // A revocation still waiting for the CA is overtaken by expiry: an
        // expired certificate is no longer valid, which is all a revocation
        // would have achieved. The history says so.
        Change(i, "EXPIRED", CertificateStatus::kExpired, PendingOperation::kNone,
               HoldReason::kNone,
               c.pending == PendingOperation::kCancel
                   ? "expired while its revocation was pending; an expired certificate needs no "
                     "revocation"
                   : "",
               *c.not_after);
        ++expired;
      }
    }
    return expired;
  }

  absl::Status Apply(int index, const Submit&) {
    const Certificate& c = cert(index);
    const bool draft = c.status == CertificateStatus::kOpen && c.pending == PendingOperation::kNone;
    const bool held =
        c.status == CertificateStatus::kOpen &&
        (c.hold == HoldReason::kPrevalidationFailed || c.hold == HoldReason::kCaKeyConflict);
    if (!draft && !held) {
      return Refuse(index, c.status == CertificateStatus::kOpen
                               ? "it was submitted already"
                               : "only an OPEN draft or a held certificate can be submitted");
    }
    if (c.csr_pem.empty()) {
      return Refuse(index, "the draft has no CSR yet; add one with UpdateOrder (update_mask csr)");
    }
    // A held certificate is submitted again as it is: prevalidation runs
    // anew (the register may have been corrected meanwhile).
    StartSubmission(index, draft ? "SUBMITTED" : "RESUBMITTED");
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const Edit& edit) {
    const Certificate& c = cert(index);
    if (index != static_cast<int>(order().certificates.size()) - 1 ||
        c.status != CertificateStatus::kOpen) {
      return Refuse(index, "only the newest certificate can be updated, while OPEN");
    }
    if (SubmissionAtCa(c)) {
      return Refuse(index, "it is on its way to the CA; cancel it and order again instead");
    }
    if (edit.csr_pem.has_value() && edit.csr_pem->empty()) {
      return absl::InvalidArgumentError("csr: must not be empty when updated");
    }
    if (edit.csr_pem.has_value()) {
      cert(index).csr_pem = *edit.csr_pem;
    }
    if (edit.domain_validations.has_value()) {
      cert(index).domain_validations = *edit.domain_validations;
    }
    if (edit.organization.has_value()) {
      order().organization = *edit.organization;
    }
    const Certificate& now = cert(index);
    Change(index, "UPDATED", now.status, now.pending, now.hold);
    if (now.pending == PendingOperation::kRequest) {
      StartSubmission(index, "RESUBMITTED");
    }
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const RecordPrevalidation& result) {
    const Certificate& c = cert(index);
    if (c.status != CertificateStatus::kOpen || c.hold != HoldReason::kPrevalidationRunning) {
      return Refuse(index, "no prevalidation is running");
    }
    if (result.submission != c.submission) {
      return Refuse(index, absl::StrCat("the result is for submission ", result.submission,
                                        ", the certificate is at submission ", c.submission));
    }
    switch (result.outcome) {
      case PrevalidationOutcome::kPass:
      case PrevalidationOutcome::kNotApplicable:
        Change(index, "PREVALIDATION_PASSED", CertificateStatus::kOpen, PendingOperation::kRequest,
               HoldReason::kAwaitingCa);
        Intend(IntentKind::kSubmitToCa, index);
        break;
      case PrevalidationOutcome::kFail:
      case PrevalidationOutcome::kNeedsReview:
        Change(index, "PREVALIDATION_FAILED", CertificateStatus::kOpen, PendingOperation::kRequest,
               HoldReason::kPrevalidationFailed, result.summary);
        break;
    }
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const OverridePrevalidation& override_cmd) {
    const Certificate& c = cert(index);
    if (c.status != CertificateStatus::kOpen || c.hold != HoldReason::kPrevalidationFailed) {
      return Refuse(index, "no failed prevalidation holds it");
    }
    if (override_cmd.reason.empty()) {
      return absl::InvalidArgumentError("reason: an override needs a reason for the audit trail");
    }
    Change(index, "PREVALIDATION_OVERRIDDEN", CertificateStatus::kOpen, PendingOperation::kRequest,
           HoldReason::kAwaitingCa, override_cmd.reason);
    Intend(IntentKind::kSubmitToCa, index);
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const CaAccepted& accepted) {
    const Certificate& c = cert(index);
    if (!SubmissionAtCa(c)) {
      return Refuse(index, "no request is on its way to the CA");
    }
    if (accepted.submission != c.submission) {
      return Refuse(index, absl::StrCat("the answer is for submission ", accepted.submission,
                                        ", the certificate is at submission ", c.submission));
    }
    if (accepted.ca_reference.empty()) {
      return absl::InvalidArgumentError("ca_reference: the CA's order reference is required");
    }
    cert(index).ca_reference = accepted.ca_reference;
    cert(index).ca_raw_status = accepted.raw_status;
    cert(index).last_error.clear();
    Change(index, "CA_ACCEPTED", CertificateStatus::kRequested, PendingOperation::kNone,
           HoldReason::kNone);
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const CaIssued& issued) {
    const Certificate& c = cert(index);
    if (c.status != CertificateStatus::kRequested) {
      return Refuse(index, "only a REQUESTED certificate can be issued");
    }
    if (issued.certificate.not_after <= issued.certificate.not_before) {
      return absl::InvalidArgumentError(
          "certificate: expiration date must be after the activation date");
    }
    if (issued.certificate.certificate_pem.empty()) {
      return absl::InvalidArgumentError("certificate: the issued certificate PEM is required");
    }
    Certificate& target = cert(index);
    target.not_before = issued.certificate.not_before;
    target.not_after = issued.certificate.not_after;
    target.certificate_pem = issued.certificate.certificate_pem;
    target.chain_pem = issued.certificate.chain_pem;
    target.serial_number = issued.certificate.serial_number;
    target.ca_raw_status = issued.raw_status;
    target.dcv_instructions.clear();
    target.last_error.clear();
    if (target.pending == PendingOperation::kCancel) {
      // The CA issued before our cancellation took effect there: the
      // customer's cancel stands and becomes a revocation; the Cancel arrow
      // stays marked until the CA confirms it.
      Change(index, "CA_ISSUED", CertificateStatus::kActive, PendingOperation::kCancel,
             HoldReason::kNone,
             "issued before the cancellation took effect at the CA; revoking it instead");
      Intend(IntentKind::kRevokeAtCa, index);
    } else {
      Change(index, "CA_ISSUED", CertificateStatus::kActive, PendingOperation::kNone,
             HoldReason::kNone);
    }
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const CaRefused& refused) {
    const Certificate& c = cert(index);
    const bool awaiting = SubmissionAtCa(c);
    if (c.status != CertificateStatus::kRequested && !awaiting) {
      return Refuse(index, "the CA has no pending request for it");
    }
    cert(index).ca_raw_status = refused.raw_status;
    Reject(index, "CA_REFUSED",
           refused.reason.empty() ? "refused by the certificate authority" : refused.reason);
    if (awaiting) {
      // Refused while submitting: an earlier attempt with the same key may
      // have created an order at the CA after all; make sure it is cancelled.
      Intend(IntentKind::kAbandonAtCa, index);
    }
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const CaKeyConflict& conflict) {
    const Certificate& c = cert(index);
    if (!SubmissionAtCa(c)) {
      return Refuse(index, "no request is on its way to the CA");
    }
    if (conflict.submission != c.submission) {
      return Refuse(index, absl::StrCat("the answer is for submission ", conflict.submission,
                                        ", the certificate is at submission ", c.submission));
    }
    // Nothing was created with our request (the key maps to another one), so
    // a later cancel must not abandon that key at the CA: it is not ours.
    cert(index).last_error = conflict.reason;
    Change(index, "CA_KEY_CONFLICT", CertificateStatus::kOpen, PendingOperation::kRequest,
           HoldReason::kCaKeyConflict, conflict.reason);
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const CaCancelKeyConflict& conflict) {
    const Certificate& c = cert(index);
    if (c.pending != PendingOperation::kCancel) {
      return Refuse(index, "no cancellation is pending");
    }
    if (conflict.sent_for != c.status) {
      return Refuse(index, absl::StrCat("the answer is for the call sent while ",
                                        ToString(conflict.sent_for)));
    }
    // The arrow stays marked and the call goes out again: its key carries
    // the order version this decision creates, so it is a new key.
    cert(index).last_error = conflict.reason;
    const CertificateStatus status = c.status;
    Change(index, "CANCEL_RESENT", status, PendingOperation::kCancel, HoldReason::kNone,
           conflict.reason);
    Intend(status == CertificateStatus::kActive ? IntentKind::kRevokeAtCa : IntentKind::kCancelAtCa,
           index);
    return absl::OkStatus();
  }

  // Whether a CA or prevalidation call is outstanding for the certificate.
  bool AwaitsAnswer(int index) {
    const Certificate& c = cert(index);
    return c.status == CertificateStatus::kRequested || c.pending == PendingOperation::kCancel ||
           SubmissionAtCa(c) || c.hold == HoldReason::kPrevalidationRunning;
  }

  absl::Status Apply(int index, const CaProgress& progress) {
    const Certificate& c = cert(index);
    if (!AwaitsAnswer(index) || c.hold == HoldReason::kPrevalidationRunning) {
      return Refuse(index, "nothing is pending at the CA");
    }
    cert(index).ca_raw_status = progress.raw_status;
    cert(index).dcv_instructions = progress.dcv_instructions;
    cert(index).last_error.clear();
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const RecordError& error) {
    if (!AwaitsAnswer(index)) {
      return Refuse(index, "no call is outstanding");
    }
    cert(index).last_error = error.error;
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const Cancel& cancel) {
    const Certificate& c = cert(index);
    switch (c.status) {
      case CertificateStatus::kOpen: {
        // Nothing is at the CA yet, unless a submission may have reached it.
        const bool maybe_at_ca = SubmissionAtCa(c);
        Reject(index, "CANCELLED", cancel.reason.empty() ? "cancelled" : cancel.reason);
        if (maybe_at_ca) {
          Intend(IntentKind::kAbandonAtCa, index);
        }
        return absl::OkStatus();
      }
      case CertificateStatus::kRequested:
      case CertificateStatus::kActive:
        if (c.pending == PendingOperation::kCancel) {
          return Refuse(index, "a cancellation is already waiting for the CA");
        }
        Change(index, "CANCEL_REQUESTED", c.status, PendingOperation::kCancel, HoldReason::kNone,
               cancel.reason);
        Intend(c.status == CertificateStatus::kActive ? IntentKind::kRevokeAtCa
                                                      : IntentKind::kCancelAtCa,
               index);
        return absl::OkStatus();
      default:
        return Refuse(index, IsFinal(order(), index) ? "it is final" : "");
    }
  }

  absl::Status Apply(int index, const CaCancelled& cancelled) {
    const Certificate& c = cert(index);
    if (c.status == CertificateStatus::kRequested) {
      cert(index).ca_raw_status = cancelled.raw_status;
      Reject(index, c.pending == PendingOperation::kCancel ? "CA_CANCEL_CONFIRMED" : "CA_CANCELLED",
             c.pending == PendingOperation::kCancel ? "cancelled at the customer's request"
                                                    : "cancelled by the certificate authority");
      return absl::OkStatus();
    }
    if (c.status == CertificateStatus::kActive) {
      cert(index).ca_raw_status = cancelled.raw_status;
      Change(index, c.pending == PendingOperation::kCancel ? "CA_REVOKE_CONFIRMED" : "CA_REVOKED",
             CertificateStatus::kRevoked, PendingOperation::kNone, HoldReason::kNone);
      RestorePredecessor(index, "revoked");
      return absl::OkStatus();
    }
    return Refuse(index);
  }

  absl::Status Apply(int index, const CaCancelRefused& refused) {
    const Certificate& c = cert(index);
    if (c.pending != PendingOperation::kCancel) {
      return Refuse(index, "no cancellation is pending");
    }
    if (refused.sent_for != c.status) {
      // Issuance overtook the cancellation: the CA refused to cancel an
      // order it had issued, and the revocation that replaced the cancel is
      // under way. Clearing the arrow here would drop the customer's cancel.
      return Refuse(index, absl::StrCat("the refusal answers the call sent while ",
                                        ToString(refused.sent_for),
                                        "; the revocation under way "
                                        "carries the cancellation"));
    }
    Change(index, "CANCEL_REFUSED", c.status, PendingOperation::kNone, HoldReason::kNone,
           refused.reason);
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const ExpireDue&) {
    // ExpireAllDue() ran before every command; nothing due is a refusal so a
    // sweeper that raced another replica learns it changed nothing.
    if (expired_first_ == 0) {
      return Refuse(index >= 0 ? index : CurrentCertificate(order()),
                    "no certificate has passed its expiration date");
    }
    return absl::OkStatus();
  }

  // Checks that certificate `index` (or the newest ACTIVE one when -1) may
  // get a successor; returns its position.
  absl::StatusOr<int> SuccessorBase(int index) {
    if (index < 0) {
      index = NewestActive(order());
      if (index < 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot ", action_, ": the order has no ACTIVE certificate"));
      }
    }
    const Certificate& c = cert(index);
    if (c.status != CertificateStatus::kActive) {
      return Refuse(index, "only an ACTIVE certificate qualifies");
    }
    if (c.pending != PendingOperation::kNone) {
      return Refuse(index);
    }
    if (index != NewestActive(order())) {
      return Refuse(index, "a newer ACTIVE certificate replaces it");
    }
    const int in_flight = InFlightCertificate(order());
    if (in_flight >= 0) {
      return Refuse(index, absl::StrCat("certificate ", in_flight + 1, " is still ",
                                        ToString(cert(in_flight).status), "; one at a time"));
    }
    return index;
  }

  int AddSuccessor(int base, CertificateKind kind) {
    const Certificate& previous = cert(base);
    Certificate next;
    next.kind = kind;
    next.predecessor = base;
    next.common_name = previous.common_name;
    next.additional_names = previous.additional_names;
    next.domain_validations = previous.domain_validations;
    next.csr_pem = previous.csr_pem;
    next.period_months = previous.period_months;
    next.ca_adapter = previous.ca_adapter;
    next.created_at = context_.now;
    order().certificates.push_back(std::move(next));
    const int index = static_cast<int>(order().certificates.size()) - 1;
    Created(index);
    return index;
  }

  absl::Status Apply(int index, const Reissue& reissue) {
    auto base = SuccessorBase(index);
    if (!base.ok()) {
      return base.status();
    }
    if (reissue.csr_pem.empty()) {
      return absl::InvalidArgumentError("csr: a reissue needs a new CSR");
    }
    const int next = AddSuccessor(*base, CertificateKind::kReissue);
    cert(next).csr_pem = reissue.csr_pem;
    if (!reissue.additional_names.empty()) {
      cert(next).additional_names = reissue.additional_names;
    }
    if (!reissue.domain_validations.empty()) {
      cert(next).domain_validations = reissue.domain_validations;
    }
    StartSubmission(next, "SUBMITTED");
    return absl::OkStatus();
  }

  absl::Status Apply(int index, const Renew& renew) {
    auto base = SuccessorBase(index);
    if (!base.ok()) {
      return base.status();
    }
    if (renew.period_months < 0) {
      return absl::InvalidArgumentError("period_months: must not be negative");
    }
    const Certificate& c = cert(*base);
    if (context_.product.renewal_window <= absl::ZeroDuration()) {
      return Refuse(*base, "this product cannot be renewed");
    }
    const absl::Time opens = *c.not_after - context_.product.renewal_window;
    if (context_.now < opens) {
      return Refuse(*base,
                    absl::StrCat("the renewal window opens at ",
                                 absl::FormatTime(absl::RFC3339_sec, opens, absl::UTCTimeZone())));
    }
    Change(*base, "RENEWED", CertificateStatus::kRenewed, PendingOperation::kNone,
           HoldReason::kNone);
    const int next = AddSuccessor(*base, CertificateKind::kRenewal);
    if (!renew.csr_pem.empty()) {
      cert(next).csr_pem = renew.csr_pem;
    }
    if (renew.period_months > 0) {
      cert(next).period_months = renew.period_months;
    }
    StartSubmission(next, "SUBMITTED");
    return absl::OkStatus();
  }

  absl::StatusOr<Decision> Finish() {
    order().status = ComputeOrderStatus(order());
    order().updated_at = context_.now;
    return std::move(decision_);
  }

  int expired_first_ = 0;

 private:
  const Context& context_;
  Decision decision_;
  absl::string_view action_;
};

bool TargetsOwnCertificate(const Command& command) {
  return std::holds_alternative<ExpireDue>(command) || std::holds_alternative<Reissue>(command) ||
         std::holds_alternative<Renew>(command);
}

}  // namespace

absl::string_view CommandName(const Command& command) {
  struct Namer {
    absl::string_view operator()(const Submit&) { return "submit"; }
    absl::string_view operator()(const Edit&) { return "update"; }
    absl::string_view operator()(const RecordPrevalidation&) { return "record prevalidation"; }
    absl::string_view operator()(const OverridePrevalidation&) { return "override prevalidation"; }
    absl::string_view operator()(const CaAccepted&) { return "record CA acceptance"; }
    absl::string_view operator()(const CaIssued&) { return "record CA issuance"; }
    absl::string_view operator()(const CaRefused&) { return "record CA refusal"; }
    absl::string_view operator()(const CaProgress&) { return "record CA progress"; }
    absl::string_view operator()(const RecordError&) { return "record error"; }
    absl::string_view operator()(const Cancel&) { return "cancel"; }
    absl::string_view operator()(const CaCancelled&) { return "record CA cancellation"; }
    absl::string_view operator()(const CaCancelRefused&) { return "record refused cancellation"; }
    absl::string_view operator()(const ExpireDue&) { return "expire"; }
    absl::string_view operator()(const Reissue&) { return "reissue"; }
    absl::string_view operator()(const Renew&) { return "renew"; }
    absl::string_view operator()(const CaKeyConflict&) { return "record CA key conflict"; }
    absl::string_view operator()(const CaCancelKeyConflict&) {
      return "record CA key conflict of a cancellation";
    }
    absl::string_view operator()(const command::RequestDcvChange&) { return "change DCV method"; }
    absl::string_view operator()(const command::RequestDcvEmailResend&) {
      return "resend DCV e-mail";
    }
    absl::string_view operator()(const command::DcvChanged&) { return "record DCV change"; }
    absl::string_view operator()(const command::DcvEmailResent&) {
      return "record DCV e-mail resent";
    }
    absl::string_view operator()(const command::CaOperationFailed&) {
      return "record refused CA operation";
    }
    absl::string_view operator()(const command::RequestCaResolution&) {
      return "resolve CA submission";
    }
    absl::string_view operator()(const command::CaHold&) { return "record CA hold"; }
  };
  return std::visit(Namer{}, command);
}

absl::StatusOr<Decision> Decide(const Order& order, int index, const Command& command,
                                const Context& context) {
  const int size = static_cast<int>(order.certificates.size());
  const bool own_target = TargetsOwnCertificate(command);
  if (!(own_target && index == -1) && (index < 0 || index >= size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate: the order has no certificate ", index + 1));
  }
  if (ComputeOrderStatus(order) == OrderStatus::kClosed) {
    const int shown = index >= 0 ? index : size - 1;
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot ", CommandName(command), ": the order is CLOSED (certificate ", shown + 1, " is ",
        ToString(order.certificates[shown].status), ") and offers no actions"));
  }
  Decider decider(order, context);
  decider.set_action(CommandName(command));
  decider.expired_first_ = decider.ExpireAllDue();
  if (decider.expired_first_ > 0 && ComputeOrderStatus(decider.order()) == OrderStatus::kClosed &&
      !std::holds_alternative<ExpireDue>(command)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", CommandName(command),
                     ": the order's certificates have expired and it is CLOSED"));
  }
  absl::Status applied =
      std::visit([&](const auto& cmd) { return decider.Apply(index, cmd); }, command);
  if (!applied.ok()) {
    return applied;
  }
  return decider.Finish();
}

absl::StatusOr<Decision> CreateOrder(Order order, bool draft, const Context& context) {
  if (order.certificates.size() != 1 || order.certificates[0].kind != CertificateKind::kInitial) {
    return absl::InvalidArgumentError("a new order holds exactly one INITIAL certificate");
  }
  if (!draft && order.certificates[0].csr_pem.empty()) {
    return absl::InvalidArgumentError("csr: required unless the order is a draft");
  }
  Certificate& initial = order.certificates[0];
  initial.status = CertificateStatus::kOpen;
  initial.pending = PendingOperation::kNone;
  initial.hold = HoldReason::kNone;
  initial.predecessor = -1;
  initial.created_at = context.now;
  order.created_at = context.now;
  order.status = OrderStatus::kOpen;
  Decider decider(order, context);
  decider.Created(0);
  if (!draft) {
    decider.StartSubmission(0, "SUBMITTED");
  }
  return decider.Finish();
}

}  // namespace sslpanel::workflow::domain
