// The report a prevalidation returns: one result per check, with stable
// codes callers may branch on, and the overall outcome derived from them.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::prevalidation::domain {

// Stable check codes, in the order the checks run (DESIGN.md checks 1-9).
inline constexpr absl::string_view kKvkNumberFormat = "KVK_NUMBER_FORMAT";
inline constexpr absl::string_view kKvkCompanyFound = "KVK_COMPANY_FOUND";
inline constexpr absl::string_view kKvkCompanyActive = "KVK_COMPANY_ACTIVE";
inline constexpr absl::string_view kKvkNameMatch = "KVK_NAME_MATCH";
inline constexpr absl::string_view kKvkAddressMatch = "KVK_ADDRESS_MATCH";
inline constexpr absl::string_view kCsrSubjectMatch = "CSR_SUBJECT_MATCH";
inline constexpr absl::string_view kPhoneListed = "PHONE_LISTED";
inline constexpr absl::string_view kDomainExists = "DOMAIN_EXISTS";
inline constexpr absl::string_view kDomainRegistrantMatch = "DOMAIN_REGISTRANT_MATCH";

enum class Outcome {
  kPass,
  kFail,
  // Passed with a remark the customer should read.
  kWarning,
  // The source does not publish what the check needs: a person must look.
  kUnknown,
  // The check could not run (a check it depends on failed).
  kError,
};

enum class Overall { kPass, kFail, kNeedsReview, kNotApplicable };

struct CheckResult {
  std::string code;
  Outcome outcome = Outcome::kError;
  std::string message;
  std::string evidence;
  std::string remedy;
  std::string source;
};

struct Report {
  Overall overall = Overall::kNotApplicable;
  std::vector<CheckResult> checks;
  absl::Time checked_at;
  std::string not_applicable_reason;
};

// FAIL if any check failed; otherwise NEEDS_REVIEW if any check is UNKNOWN
// or ERROR (a person must look); otherwise PASS, warnings included.
Overall Summarize(const std::vector<CheckResult>& checks);

// 'text' in single quotes: how reports quote names and addresses.
std::string Quoted(absl::string_view text);

// A check that could not run because `reason` (e.g. the company was not
// found); ERROR, so the overall outcome is never PASS because of it.
CheckResult NotRun(absl::string_view code, absl::string_view reason, absl::string_view source);

absl::string_view OutcomeName(Outcome outcome);
absl::string_view OverallName(Overall overall);

}  // namespace sslpanel::prevalidation::domain
