// Walks every (status x pending operation x hold) state against every command
// and checks the specified outcome: the transition with its events and
// intents, or a FAILED_PRECONDITION that names the status and the action.
// The table below lists what is allowed; every pair it does not list must be
// refused. Allowed actions reported to a UI must agree with it.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/domain/test_orders.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain {
namespace {

using testing::ActionTime;
using testing::AllStates;
using ::testing::HasSubstr;
using testing::Issued;
using testing::StateCase;

struct Expected {
  std::string target_after;  // STATUS/PENDING/HOLD of the target certificate
  std::vector<std::string> events;
  std::vector<std::string> intents;
};

// (state, action) -> outcome. Everything not listed is refused.
const std::map<std::pair<std::string, std::string>, Expected>& Table() {
  static const auto* table = new std::map<std::pair<std::string, std::string>, Expected>{
      // Draft.
      {{"OPEN/NONE/NONE", "submit"}, {"OPEN/REQUEST/AWAITING_CA", {"SUBMITTED"}, {"SUBMIT_TO_CA"}}},
      {{"OPEN/NONE/NONE", "update"}, {"OPEN/NONE/NONE", {"UPDATED"}, {}}},
      {{"OPEN/NONE/NONE", "cancel"}, {"REJECTED/NONE/NONE", {"CANCELLED"}, {}}},
      // Prevalidation running.
      {{"OPEN/REQUEST/PREVALIDATION_RUNNING", "update"},
       {"OPEN/REQUEST/PREVALIDATION_RUNNING", {"UPDATED", "RESUBMITTED"}, {"PREVALIDATE"}}},
      {{"OPEN/REQUEST/PREVALIDATION_RUNNING", "prevalidation_pass"},
       {"OPEN/REQUEST/AWAITING_CA", {"PREVALIDATION_PASSED"}, {"SUBMIT_TO_CA"}}},
      {{"OPEN/REQUEST/PREVALIDATION_RUNNING", "prevalidation_fail"},
       {"OPEN/REQUEST/PREVALIDATION_FAILED", {"PREVALIDATION_FAILED"}, {}}},
      {{"OPEN/REQUEST/PREVALIDATION_RUNNING", "record_error"},
       {"OPEN/REQUEST/PREVALIDATION_RUNNING", {}, {}}},
      {{"OPEN/REQUEST/PREVALIDATION_RUNNING", "cancel"}, {"REJECTED/NONE/NONE", {"CANCELLED"}, {}}},
      // Prevalidation failed: fix the data, or an operator overrides.
      {{"OPEN/REQUEST/PREVALIDATION_FAILED", "update"},
       {"OPEN/REQUEST/PREVALIDATION_RUNNING", {"UPDATED", "RESUBMITTED"}, {"PREVALIDATE"}}},
      {{"OPEN/REQUEST/PREVALIDATION_FAILED", "override"},
       {"OPEN/REQUEST/AWAITING_CA", {"PREVALIDATION_OVERRIDDEN"}, {"SUBMIT_TO_CA"}}},
      {{"OPEN/REQUEST/PREVALIDATION_FAILED", "cancel"}, {"REJECTED/NONE/NONE", {"CANCELLED"}, {}}},
      {{"OPEN/REQUEST/PREVALIDATION_FAILED", "submit"},
       {"OPEN/REQUEST/PREVALIDATION_RUNNING", {"RESUBMITTED"}, {"PREVALIDATE"}}},
      // On its way to the CA.
      {{"OPEN/REQUEST/AWAITING_CA", "ca_accepted"}, {"REQUESTED/NONE/NONE", {"CA_ACCEPTED"}, {}}},
      {{"OPEN/REQUEST/AWAITING_CA", "ca_refused"},
       {"REJECTED/NONE/NONE", {"CA_REFUSED"}, {"ABANDON_AT_CA"}}},
      {{"OPEN/REQUEST/AWAITING_CA", "ca_progress"}, {"OPEN/REQUEST/AWAITING_CA", {}, {}}},
      {{"OPEN/REQUEST/AWAITING_CA", "record_error"}, {"OPEN/REQUEST/AWAITING_CA", {}, {}}},
      {{"OPEN/REQUEST/AWAITING_CA", "cancel"},
       {"REJECTED/NONE/NONE", {"CANCELLED"}, {"ABANDON_AT_CA"}}},
      {{"OPEN/REQUEST/AWAITING_CA", "ca_key_conflict"},
       {"OPEN/REQUEST/CA_KEY_CONFLICT", {"CA_KEY_CONFLICT"}, {}}},
      // Held: the adapter says the key is another request's. Submitting
      // again sends a new key; cancelling abandons nothing (not our key).
      {{"OPEN/REQUEST/CA_KEY_CONFLICT", "submit"},
       {"OPEN/REQUEST/AWAITING_CA", {"RESUBMITTED"}, {"SUBMIT_TO_CA"}}},
      {{"OPEN/REQUEST/CA_KEY_CONFLICT", "update"},
       {"OPEN/REQUEST/AWAITING_CA", {"UPDATED", "RESUBMITTED"}, {"SUBMIT_TO_CA"}}},
      {{"OPEN/REQUEST/CA_KEY_CONFLICT", "cancel"}, {"REJECTED/NONE/NONE", {"CANCELLED"}, {}}},
      // The adapter signals a hold on the submission: the same key is tried
      // again, and the CA's answer still settles it.
      {{"OPEN/REQUEST/AWAITING_CA", "ca_hold_unknown"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {"CA_OUTCOME_UNKNOWN"}, {}}},
      {{"OPEN/REQUEST/AWAITING_CA", "ca_hold_account"},
       {"OPEN/REQUEST/CA_ACCOUNT", {"CA_ACCOUNT_PROBLEM"}, {}}},
      // Outcome unknown: never resent blindly; an operator resolves it.
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "resolve"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {"CA_RESOLUTION_REQUESTED"}, {"RESOLVE_AT_CA"}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "resolve_failed"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {"CA_RESOLUTION_FAILED"}, {}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "ca_accepted"},
       {"REQUESTED/NONE/NONE", {"CA_ACCEPTED"}, {}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "ca_refused"},
       {"REJECTED/NONE/NONE", {"CA_REFUSED"}, {"ABANDON_AT_CA"}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "ca_progress"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {}, {}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "record_error"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {}, {}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "cancel"},
       {"REJECTED/NONE/NONE", {"CANCELLED"}, {"ABANDON_AT_CA"}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "ca_key_conflict"},
       {"OPEN/REQUEST/CA_KEY_CONFLICT", {"CA_KEY_CONFLICT"}, {}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "ca_hold_unknown"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {}, {}}},
      {{"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", "ca_hold_account"},
       {"OPEN/REQUEST/CA_ACCOUNT", {"CA_ACCOUNT_PROBLEM"}, {}}},
      // Account problem: retried with backoff until the CA accepts.
      {{"OPEN/REQUEST/CA_ACCOUNT", "ca_accepted"}, {"REQUESTED/NONE/NONE", {"CA_ACCEPTED"}, {}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "ca_refused"},
       {"REJECTED/NONE/NONE", {"CA_REFUSED"}, {"ABANDON_AT_CA"}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "ca_progress"}, {"OPEN/REQUEST/CA_ACCOUNT", {}, {}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "record_error"}, {"OPEN/REQUEST/CA_ACCOUNT", {}, {}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "cancel"},
       {"REJECTED/NONE/NONE", {"CANCELLED"}, {"ABANDON_AT_CA"}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "ca_key_conflict"},
       {"OPEN/REQUEST/CA_KEY_CONFLICT", {"CA_KEY_CONFLICT"}, {}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "ca_hold_unknown"},
       {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN", {"CA_OUTCOME_UNKNOWN"}, {}}},
      {{"OPEN/REQUEST/CA_ACCOUNT", "ca_hold_account"}, {"OPEN/REQUEST/CA_ACCOUNT", {}, {}}},
      // DCV operations while waiting for validation; the CA's answers to
      // them also after a cancel was sent (the status stays REQUESTED), and
      // its refusals after issuance overtook them. The resend below asks for
      // every e-mail name of a DNS-validated certificate: refused everywhere.
      {{"REQUESTED/NONE/NONE", "change_dcv"},
       {"REQUESTED/NONE/NONE", {"DCV_CHANGE_REQUESTED"}, {"CHANGE_DCV_AT_CA"}}},
      {{"REQUESTED/NONE/NONE", "dcv_changed"}, {"REQUESTED/NONE/NONE", {"DCV_CHANGED"}, {}}},
      {{"REQUESTED/NONE/NONE", "dcv_email_resent"},
       {"REQUESTED/NONE/NONE", {"DCV_EMAIL_RESENT"}, {}}},
      {{"REQUESTED/NONE/NONE", "dcv_change_failed"},
       {"REQUESTED/NONE/NONE", {"DCV_CHANGE_FAILED"}, {}}},
      {{"REQUESTED/CANCEL/NONE", "dcv_changed"}, {"REQUESTED/CANCEL/NONE", {"DCV_CHANGED"}, {}}},
      {{"REQUESTED/CANCEL/NONE", "dcv_email_resent"},
       {"REQUESTED/CANCEL/NONE", {"DCV_EMAIL_RESENT"}, {}}},
      {{"REQUESTED/CANCEL/NONE", "dcv_change_failed"},
       {"REQUESTED/CANCEL/NONE", {"DCV_CHANGE_FAILED"}, {}}},
      {{"ACTIVE/NONE/NONE", "dcv_change_failed"}, {"ACTIVE/NONE/NONE", {"DCV_CHANGE_FAILED"}, {}}},
      {{"ACTIVE/CANCEL/NONE", "dcv_change_failed"},
       {"ACTIVE/CANCEL/NONE", {"DCV_CHANGE_FAILED"}, {}}},
      // Requested at the CA.
      {{"REQUESTED/NONE/NONE", "ca_issued"}, {"ACTIVE/NONE/NONE", {"CA_ISSUED"}, {}}},
      {{"REQUESTED/NONE/NONE", "ca_refused"}, {"REJECTED/NONE/NONE", {"CA_REFUSED"}, {}}},
      {{"REQUESTED/NONE/NONE", "ca_progress"}, {"REQUESTED/NONE/NONE", {}, {}}},
      {{"REQUESTED/NONE/NONE", "record_error"}, {"REQUESTED/NONE/NONE", {}, {}}},
      {{"REQUESTED/NONE/NONE", "cancel"},
       {"REQUESTED/CANCEL/NONE", {"CANCEL_REQUESTED"}, {"CANCEL_AT_CA"}}},
      {{"REQUESTED/NONE/NONE", "ca_cancelled"}, {"REJECTED/NONE/NONE", {"CA_CANCELLED"}, {}}},
      // Cancel sent before issuance.
      {{"REQUESTED/CANCEL/NONE", "ca_issued"},
       {"ACTIVE/CANCEL/NONE", {"CA_ISSUED"}, {"REVOKE_AT_CA"}}},
      {{"REQUESTED/CANCEL/NONE", "ca_refused"}, {"REJECTED/NONE/NONE", {"CA_REFUSED"}, {}}},
      {{"REQUESTED/CANCEL/NONE", "ca_progress"}, {"REQUESTED/CANCEL/NONE", {}, {}}},
      {{"REQUESTED/CANCEL/NONE", "record_error"}, {"REQUESTED/CANCEL/NONE", {}, {}}},
      {{"REQUESTED/CANCEL/NONE", "ca_cancelled"},
       {"REJECTED/NONE/NONE", {"CA_CANCEL_CONFIRMED"}, {}}},
      {{"REQUESTED/CANCEL/NONE", "ca_cancel_key_conflict"},
       {"REQUESTED/CANCEL/NONE", {"CANCEL_RESENT"}, {"CANCEL_AT_CA"}}},
      {{"REQUESTED/CANCEL/NONE", "ca_cancel_refused"},
       {"REQUESTED/NONE/NONE", {"CANCEL_REFUSED"}, {}}},
      // Active.
      {{"ACTIVE/NONE/NONE", "cancel"},
       {"ACTIVE/CANCEL/NONE", {"CANCEL_REQUESTED"}, {"REVOKE_AT_CA"}}},
      {{"ACTIVE/NONE/NONE", "ca_cancelled"}, {"REVOKED/NONE/NONE", {"CA_REVOKED"}, {}}},
      {{"ACTIVE/NONE/NONE", "reissue"},
       {"ACTIVE/NONE/NONE", {"CREATED", "SUBMITTED"}, {"SUBMIT_TO_CA"}}},
      {{"ACTIVE/NONE/NONE", "renew"},
       {"RENEWED/NONE/NONE", {"RENEWED", "CREATED", "SUBMITTED"}, {"SUBMIT_TO_CA"}}},
      // Revocation sent.
      {{"ACTIVE/CANCEL/NONE", "ca_cancelled"}, {"REVOKED/NONE/NONE", {"CA_REVOKE_CONFIRMED"}, {}}},
      {{"ACTIVE/CANCEL/NONE", "ca_revoke_refused"}, {"ACTIVE/NONE/NONE", {"CANCEL_REFUSED"}, {}}},
      {{"ACTIVE/CANCEL/NONE", "ca_cancel_key_conflict"},
       {"ACTIVE/CANCEL/NONE", {"CANCEL_RESENT"}, {"REVOKE_AT_CA"}}},
      // Not listed, so refused: ACTIVE/CANCEL x ca_cancel_refused, the CA's
      // refusal of a cancellation sent while REQUESTED arriving after
      // issuance overtook it (the revocation carries the customer's cancel).
      {{"ACTIVE/CANCEL/NONE", "ca_progress"}, {"ACTIVE/CANCEL/NONE", {}, {}}},
      {{"ACTIVE/CANCEL/NONE", "record_error"}, {"ACTIVE/CANCEL/NONE", {}, {}}},
      // REJECTED, REVOKED, EXPIRED and RENEWED (renewal in flight): nothing.
  };
  return *table;
}

const std::vector<std::string>& ActionNames() {
  static const auto* names = new std::vector<std::string>{"submit",
                                                          "update",
                                                          "prevalidation_pass",
                                                          "prevalidation_fail",
                                                          "override",
                                                          "ca_accepted",
                                                          "ca_issued",
                                                          "ca_refused",
                                                          "ca_progress",
                                                          "record_error",
                                                          "cancel",
                                                          "ca_cancelled",
                                                          "ca_cancel_refused",
                                                          "ca_revoke_refused",
                                                          "expire_due",
                                                          "reissue",
                                                          "renew",
                                                          "ca_key_conflict",
                                                          "ca_cancel_key_conflict",
                                                          "change_dcv",
                                                          "resend_dcv_email",
                                                          "dcv_changed",
                                                          "dcv_email_resent",
                                                          "dcv_change_failed",
                                                          "resolve",
                                                          "resolve_failed",
                                                          "ca_hold_unknown",
                                                          "ca_hold_account"};
  return *names;
}

Command MakeCommand(const std::string& action, const Certificate& target) {
  const absl::Time now = ActionTime();
  if (action == "submit") return command::Submit{};
  if (action == "update") return command::Edit{std::string("CSR-2"), std::nullopt, std::nullopt};
  if (action == "prevalidation_pass") {
    return command::RecordPrevalidation{target.submission, PrevalidationOutcome::kPass, ""};
  }
  if (action == "prevalidation_fail") {
    return command::RecordPrevalidation{target.submission, PrevalidationOutcome::kFail,
                                        "name mismatch"};
  }
  if (action == "override") return command::OverridePrevalidation{"checked the register by hand"};
  if (action == "ca_accepted") return command::CaAccepted{target.submission, "CA-9", "pending"};
  if (action == "ca_issued") {
    return command::CaIssued{Issued(now - absl::Hours(1), now + absl::Hours(24 * 365)), "issued"};
  }
  if (action == "ca_refused") return command::CaRefused{"domain on a block list", "rejected"};
  if (action == "ca_progress") return command::CaProgress{"validating", {}};
  if (action == "record_error") return command::RecordError{"CA adapter unavailable"};
  if (action == "cancel") return command::Cancel{"customer asked"};
  if (action == "ca_cancelled") return command::CaCancelled{"cancelled"};
  if (action == "ca_cancel_refused") {
    return command::CaCancelRefused{"too late to cancel", CertificateStatus::kRequested};
  }
  if (action == "ca_revoke_refused") {
    return command::CaCancelRefused{"cannot revoke", CertificateStatus::kActive};
  }
  if (action == "expire_due") return command::ExpireDue{};
  if (action == "reissue") return command::Reissue{"CSR-REISSUE", {}, {}};
  if (action == "ca_cancel_key_conflict") {
    return command::CaCancelKeyConflict{"key used for another request", target.status};
  }
  if (action == "ca_key_conflict") {
    return command::CaKeyConflict{target.submission, "key used for another request"};
  }
  if (action == "change_dcv") {
    return command::RequestDcvChange{{{target.common_name, DcvMethod::kHttp, ""}}};
  }
  if (action == "resend_dcv_email") return command::RequestDcvEmailResend{""};
  if (action == "dcv_changed" || action == "dcv_email_resent") {
    DcvInstruction http;
    http.host_name = target.common_name;
    http.method = DcvMethod::kHttp;
    http.http_url = "http://www.example.com/.well-known/pki-validation/t.txt";
    if (action == "dcv_changed") return command::DcvChanged{"validating", {http}};
    return command::DcvEmailResent{"validating", {http}};
  }
  if (action == "dcv_change_failed") {
    return command::CaOperationFailed{IntentKind::kChangeDcvAtCa, "order not pending"};
  }
  if (action == "resolve") {
    return command::RequestCaResolution{"", true, "no order at the CA, checked by hand"};
  }
  if (action == "resolve_failed") {
    return command::CaOperationFailed{IntentKind::kResolveAtCa, "settled differently already"};
  }
  if (action == "ca_hold_unknown") {
    return command::CaHold{target.submission, HoldReason::kCaOutcomeUnknown, "answer lost"};
  }
  if (action == "ca_hold_account") {
    return command::CaHold{target.submission, HoldReason::kCaAccount, "no credit left"};
  }
  return command::Renew{};
}

// The UI-facing action an API command corresponds to, if any.
std::optional<Action> UiAction(const std::string& action) {
  if (action == "submit") return Action::kSubmit;
  if (action == "update") return Action::kUpdate;
  if (action == "override") return Action::kOverridePrevalidation;
  if (action == "cancel") return Action::kCancel;
  if (action == "reissue") return Action::kReissue;
  if (action == "renew") return Action::kRenew;
  if (action == "change_dcv") return Action::kChangeDcvMethod;
  if (action == "resend_dcv_email") return Action::kResendDcvEmail;
  if (action == "resolve") return Action::kResolveCaSubmission;
  return std::nullopt;
}

std::string StateOf(const Certificate& c) {
  return absl::StrCat(ToString(c.status), "/", ToString(c.pending), "/", ToString(c.hold));
}

TEST(TransitionTable, EveryStateTimesEveryAction) {
  const std::vector<StateCase> states = AllStates();
  int checked = 0;
  int allowed = 0;
  std::set<std::pair<std::string, std::string>> used;
  for (const StateCase& state : states) {
    ASSERT_EQ(StateOf(state.order.certificates[state.target]), state.name)
        << "the builder did not reach the state it names";
    for (const std::string& action : ActionNames()) {
      SCOPED_TRACE(absl::StrCat(state.name, " x ", action));
      const Certificate& target = state.order.certificates[state.target];
      const Command command = MakeCommand(action, target);
      auto decision = Decide(state.order, state.target, command, testing::At(ActionTime()));
      ++checked;
      const auto it = Table().find({state.name, action});
      if (it == Table().end()) {
        ASSERT_FALSE(decision.ok()) << "expected a refusal";
        EXPECT_EQ(decision.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_THAT(decision.status().message(), HasSubstr(std::string(ToString(target.status))));
        EXPECT_THAT(decision.status().message(), HasSubstr(std::string(CommandName(command))));
      } else {
        ++allowed;
        used.insert(it->first);
        ASSERT_TRUE(decision.ok()) << decision.status();
        const Expected& expected = it->second;
        EXPECT_EQ(StateOf(decision->order.certificates[state.target]), expected.target_after);
        std::vector<std::string> events;
        for (const Event& e : decision->events) {
          events.push_back(e.type);
          EXPECT_EQ(e.at, ActionTime());
          EXPECT_EQ(e.actor, "test");
        }
        EXPECT_EQ(events, expected.events);
        std::vector<std::string> intents;
        for (const Intent& i : decision->intents) {
          intents.push_back(std::string(ToString(i.kind)));
        }
        EXPECT_EQ(intents, expected.intents);
      }
      // Allowed actions never offer what Decide refuses, nor hide what it allows.
      if (std::optional<Action> ui = UiAction(action); ui.has_value()) {
        const std::vector<Action> offered =
            AllowedActions(state.order, state.target, ProductRules{}, ActionTime());
        const bool is_offered = std::find(offered.begin(), offered.end(), *ui) != offered.end();
        EXPECT_EQ(is_offered, decision.ok()) << "AllowedActions disagrees with Decide";
      }
    }
  }
  EXPECT_EQ(used.size(), Table().size())
      << "a table row names a state or action that is not walked";
  std::cout << "[ transition table ] " << states.size() << " states x " << ActionNames().size()
            << " actions = " << checked << " pairs checked, " << allowed << " allowed, "
            << checked - allowed << " refused\n";
  EXPECT_EQ(checked, 15 * 28);
}

}  // namespace
}  // namespace sslpanel::workflow::domain
