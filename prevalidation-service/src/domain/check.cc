#include "domain/check.h"

#include "absl/strings/str_cat.h"

namespace sslpanel::prevalidation::domain {

Overall Summarize(const std::vector<CheckResult>& checks) {
  bool needs_review = false;
  for (const CheckResult& check : checks) {
    if (check.outcome == Outcome::kFail) {
      return Overall::kFail;
    }
    needs_review =
        needs_review || check.outcome == Outcome::kUnknown || check.outcome == Outcome::kError;
  }
  return needs_review ? Overall::kNeedsReview : Overall::kPass;
}

std::string Quoted(absl::string_view text) { return absl::StrCat("'", text, "'"); }

CheckResult NotRun(absl::string_view code, absl::string_view reason, absl::string_view source) {
  CheckResult result;
  result.code = std::string(code);
  result.outcome = Outcome::kError;
  result.message = absl::StrCat("Not checked: ", reason, ".");
  result.evidence = "";
  result.remedy = "Fix the failed check above; this one runs again with it.";
  result.source = std::string(source);
  return result;
}

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kFail:
      return "FAIL";
    case Outcome::kWarning:
      return "WARNING";
    case Outcome::kUnknown:
      return "UNKNOWN";
    case Outcome::kError:
      return "ERROR";
  }
  return "ERROR";
}

absl::string_view OverallName(Overall overall) {
  switch (overall) {
    case Overall::kPass:
      return "PASS";
    case Overall::kFail:
      return "FAIL";
    case Overall::kNeedsReview:
      return "NEEDS_REVIEW";
    case Overall::kNotApplicable:
      return "NOT_APPLICABLE";
  }
  return "NOT_APPLICABLE";
}

}  // namespace sslpanel::prevalidation::domain
