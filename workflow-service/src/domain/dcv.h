// Decisions about DCV operations on a certificate waiting at its CA (change
// the method, send the approval e-mail again) and about the two holds of a
// submission the CA has not answered usably (outcome unknown, account
// problem) with their resolution by an operator. Pure, like transitions.h,
// which applies these commands: each yields the event to record, the
// certificate's hold afterwards and the intent to deliver, or a refusal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::domain {

namespace command {

// A customer changes the DCV method and/or approver address of names of a
// REQUESTED certificate; carried to the CA by the outbox.
struct RequestDcvChange {
  std::vector<DomainValidation> domain_validations;
};
// A customer asks for the approval e-mail again ("" = every e-mail name).
struct RequestDcvEmailResend {
  std::string host_name;
};
// The CA applied a DCV change; these are its new instructions.
struct DcvChanged {
  std::string raw_status;
  std::vector<DcvInstruction> dcv_instructions;
};
// The CA sent the approval e-mail again.
struct DcvEmailResent {
  std::string raw_status;
  std::vector<DcvInstruction> dcv_instructions;
};
// The CA definitely refused a DCV operation or a resolution (`operation`
// is the intent that carried it).
struct CaOperationFailed {
  IntentKind operation = IntentKind::kChangeDcvAtCa;
  std::string reason;
};
// An operator settles a submission held with kCaOutcomeUnknown: exactly one
// of attach_ca_reference (the CA order found by hand) and resubmit.
struct RequestCaResolution {
  std::string attach_ca_reference;
  bool resubmit = false;
  std::string reason;
};
// The adapter answered a submission with a hold signal (kCaOutcomeUnknown
// or kCaAccount); the same key is retried.
struct CaHold {
  int submission = 0;
  HoldReason hold = HoldReason::kCaOutcomeUnknown;
  std::string reason;
};

}  // namespace command

// What one of these commands does to its certificate.
struct DcvStep {
  std::string event;  // the event type; empty: nothing to record
  std::string reason;
  HoldReason hold = HoldReason::kNone;  // the certificate's hold afterwards
  std::optional<IntentKind> intent;
  IntentDetail detail;
};

// Each applies the command to `certificate` (fields the step changes besides
// status, pending and hold) and says what to record. FAILED_PRECONDITION
// carries only why the state does not allow it (the caller names the action
// and the state); INVALID_ARGUMENT names the field.
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate, const command::RequestDcvChange& cmd);
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate,
                                 const command::RequestDcvEmailResend& cmd);
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate, const command::DcvChanged& cmd);
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate, const command::DcvEmailResent& cmd);
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate, const command::CaOperationFailed& cmd);
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate, const command::RequestCaResolution& cmd,
                                 absl::string_view actor);
absl::StatusOr<DcvStep> ApplyDcv(Certificate& certificate, const command::CaHold& cmd);

// "www.example.nl: EMAIL admin@example.nl; example.nl: DNS", for events.
std::string DescribeDcv(const std::vector<DomainValidation>& validations);

}  // namespace sslpanel::workflow::domain
