#include "domain/check.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

std::vector<CheckResult> With(std::vector<Outcome> outcomes) {
  std::vector<CheckResult> checks;
  for (Outcome outcome : outcomes) {
    CheckResult check;
    check.outcome = outcome;
    checks.push_back(check);
  }
  return checks;
}

TEST(Summarize, FailWinsThenReviewThenPass) {
  EXPECT_EQ(Summarize(With({Outcome::kPass, Outcome::kPass})), Overall::kPass);
  EXPECT_EQ(Summarize(With({Outcome::kPass, Outcome::kWarning})), Overall::kPass);
  EXPECT_EQ(Summarize(With({Outcome::kPass, Outcome::kUnknown})), Overall::kNeedsReview);
  EXPECT_EQ(Summarize(With({Outcome::kError, Outcome::kPass})), Overall::kNeedsReview);
  EXPECT_EQ(Summarize(With({Outcome::kUnknown, Outcome::kFail})), Overall::kFail);
  EXPECT_EQ(Summarize(With({Outcome::kWarning, Outcome::kFail, Outcome::kPass})), Overall::kFail);
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
