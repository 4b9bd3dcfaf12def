#include "ca-adapter/src/sandbox/sandbox_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sandbox {
namespace {

using ::testing::HasSubstr;

absl::Time At(const char* text) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &error)) << error;
  return t;
}

TEST(ScriptFor, LabelsPickTheOutcomeRefusalFirst) {
  SandboxBehaviour behaviour;
  EXPECT_EQ(ScriptFor({"www.example.com"}, behaviour).outcome, ScriptedOutcome::kIssue);
  const Script refused = ScriptFor({"ok.example.com", "refuse.example.com"}, behaviour);
  EXPECT_EQ(refused.outcome, ScriptedOutcome::kRefuse);
  EXPECT_THAT(refused.refusal_reason, HasSubstr("refuse.example.com"));
  EXPECT_EQ(ScriptFor({"pending.refuse.example.com"}, behaviour).outcome, ScriptedOutcome::kRefuse);
  EXPECT_EQ(ScriptFor({"a.pending.example.com"}, behaviour).outcome,
            ScriptedOutcome::kPendingForever);
  const Script short_lived = ScriptFor({"shortlived.example.com"}, behaviour);
  EXPECT_EQ(short_lived.outcome, ScriptedOutcome::kIssue);
  EXPECT_EQ(short_lived.validity_override, absl::Seconds(20));
  EXPECT_EQ(ScriptFor({"www.cancelrace.example.com"}, behaviour).outcome,
            ScriptedOutcome::kIssueOnCancel);
  EXPECT_EQ(ScriptFor({"cancelrace.refuse.example.com"}, behaviour).outcome,
            ScriptedOutcome::kRefuse);
  EXPECT_EQ(ScriptFor({"cancelrace.example.com", "pending.example.com"}, behaviour).outcome,
            ScriptedOutcome::kPendingForever);
  behaviour.refuse_label = "";
  EXPECT_EQ(ScriptFor({"refuse.example.com"}, behaviour).outcome, ScriptedOutcome::kIssue);
}

TEST(NextStep, FollowsTheClock) {
  SandboxOrder order;
  order.decide_at = At("2026-01-01T00:00:02Z");
  EXPECT_EQ(NextStep(order, At("2026-01-01T00:00:01Z")), Step::kNone);
  EXPECT_EQ(NextStep(order, At("2026-01-01T00:00:02Z")), Step::kIssue);
  order.outcome = ScriptedOutcome::kRefuse;
  EXPECT_EQ(NextStep(order, At("2026-01-01T00:00:02Z")), Step::kRefuse);
  order.outcome = ScriptedOutcome::kPendingForever;
  EXPECT_EQ(NextStep(order, At("2036-01-01T00:00:00Z")), Step::kNone);
  order.outcome = ScriptedOutcome::kIssueOnCancel;  // only a cancellation issues it
  EXPECT_EQ(NextStep(order, At("2036-01-01T00:00:00Z")), Step::kNone);
  // An accepted cancellation stops issuance, confirmed after its delay.
  order.outcome = ScriptedOutcome::kIssue;
  order.cancel_requested_at = At("2026-01-01T00:00:01Z");
  order.cancel_effective_at = At("2026-01-01T00:00:11Z");
  EXPECT_EQ(NextStep(order, At("2026-01-01T00:00:05Z")), Step::kNone);
  EXPECT_EQ(NextStep(order, At("2026-01-01T00:00:11Z")), Step::kConfirmCancel);
  order.state = domain::OrderState::kIssued;
  order.revoke_effective_at = At("2026-02-01T00:00:00Z");
  EXPECT_EQ(NextStep(order, At("2026-02-01T00:00:00Z")), Step::kConfirmRevoke);
}

TEST(AddMonths, ClampsTheDayToTheEndOfAShorterMonth) {
  EXPECT_EQ(AddMonths(At("2026-01-31T10:00:00Z"), 1), At("2026-02-28T10:00:00Z"));
  EXPECT_EQ(AddMonths(At("2028-01-31T10:00:00Z"), 1), At("2028-02-29T10:00:00Z"));
  EXPECT_EQ(AddMonths(At("2026-03-15T23:59:59Z"), 12), At("2027-03-15T23:59:59Z"));
  EXPECT_EQ(AddMonths(At("2026-11-30T00:00:00Z"), 3), At("2027-02-28T00:00:00Z"));
}

TEST(NotAfter, ReissueKeepsTheOriginalEndAndShortValidityWins) {
  SandboxOrder order;
  order.period_months = 12;
  const absl::Time start = At("2026-05-01T00:00:00Z");
  EXPECT_EQ(NotAfter(order, start), At("2027-05-01T00:00:00Z"));
  order.validity_override = absl::Seconds(20);
  EXPECT_EQ(NotAfter(order, start), start + absl::Seconds(20));
  order.fixed_not_after = At("2026-09-01T00:00:00Z");
  EXPECT_EQ(NotAfter(order, start), At("2026-09-01T00:00:00Z"));
}

TEST(DcvInstructionsFor, OneInstructionPerNameInTheChosenMethod) {
  const auto instructions =
      DcvInstructionsFor({"*.example.com", "www.example.com", "mail.example.com"},
                         {{"WWW.example.com", domain::DcvMethod::kHttp, ""},
                          {"mail.example.com", domain::DcvMethod::kEmail, "admin@example.com"}},
                         "tok");
  ASSERT_EQ(instructions.size(), 3u);
  EXPECT_EQ(instructions[0].method, domain::DcvMethod::kDns);
  EXPECT_EQ(instructions[0].dns_record_name, "_pki-validation.example.com");
  EXPECT_EQ(instructions[1].http_url, "http://www.example.com/.well-known/pki-validation/tok.txt");
  EXPECT_EQ(instructions[2].approver_email, "admin@example.com");
}

TEST(SandboxBehaviour, ValidateNamesTheFlag) {
  SandboxBehaviour behaviour;
  EXPECT_TRUE(behaviour.Validate().ok());
  behaviour.issue_delay = absl::Seconds(-1);
  EXPECT_THAT(behaviour.Validate().message(), HasSubstr("--issue_delay"));
  behaviour = SandboxBehaviour();
  behaviour.refuse_label = "not a label";
  EXPECT_THAT(behaviour.Validate().message(), HasSubstr("--refuse_label"));
}

}  // namespace
}  // namespace sslpanel::ca::sandbox
