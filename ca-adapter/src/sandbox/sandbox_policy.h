// The sandbox's scripted behaviour, as pure functions of the configuration,
// the order and the time: which outcome an order gets, what happens at the
// next poll, the validity of its certificate and the DCV instructions shown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ca-adapter/src/sandbox/sandbox_order.h"

namespace sslpanel::ca::sandbox {

struct SandboxBehaviour {
  // From submission to issuance (or refusal); 0 = at the first status poll.
  absl::Duration issue_delay = absl::Seconds(2);
  // A name with this label is refused, e.g. refuse.example.com.
  std::string refuse_label = "refuse";
  // A name with this label stays pending for ever.
  std::string pending_label = "pending";
  // A name with this label stays pending until a cancellation arrives, and is
  // issued just before the cancellation is handled (which is then refused:
  // an issued certificate is revoked, not cancelled).
  std::string issue_on_cancel_label = "cancelrace";
  // A new submission with a name with this label answers "outcome unknown"
  // (the ca-outcome-unknown hold) until ResolveSubmission settles it.
  std::string lost_answer_label = "lostanswer";
  // A name with this label gets a certificate valid for short_validity only.
  std::string short_validity_label = "shortlived";
  absl::Duration short_validity = absl::Seconds(20);
  // From a cancel or revoke request to its confirmation; 0 = confirmed in the
  // response itself.
  absl::Duration cancel_delay = absl::ZeroDuration();

  // Names the first bad field, e.g. "--issue_delay must not be negative".
  absl::Status Validate() const;
};

struct Script {
  ScriptedOutcome outcome = ScriptedOutcome::kIssue;
  std::string refusal_reason;
  std::optional<absl::Duration> validity_override;
};

// The outcome for an order with these names (refusal wins over pending).
Script ScriptFor(const std::vector<std::string>& names, const SandboxBehaviour& behaviour);

// What the next poll at `now` does to the order.
enum class Step { kNone, kIssue, kRefuse, kConfirmCancel, kConfirmRevoke };
Step NextStep(const SandboxOrder& order, absl::Time now);

// End of validity for a certificate starting at `not_before`: the original's
// end for a reissue, not_before + the short validity for the short label,
// else not_before + period_months calendar months (day clamped to the end of
// a shorter month: Jan 31 + 1 month = Feb 28/29).
absl::Time NotAfter(const SandboxOrder& order, absl::Time not_before);

// Adds calendar months in UTC, clamping the day.
absl::Time AddMonths(absl::Time t, int months);

// What the customer would have to do per name; `token` makes it unique.
std::vector<domain::DcvInstruction> DcvInstructionsFor(
    const std::vector<std::string>& names, const std::vector<domain::DomainValidation>& validations,
    const std::string& token);

// The sandbox's own status words, as a real CA's API would show them.
std::string RawStatus(const SandboxOrder& order);

}  // namespace sslpanel::ca::sandbox
