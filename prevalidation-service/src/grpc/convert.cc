#include "grpc/convert.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "csr/csr_subject.h"

namespace sslpanel::prevalidation::grpc {
namespace {

namespace v1 = ::sslpanel::prevalidation::v1;

domain::ValidationType FromProto(v1::ValidationType type) {
  switch (type) {
    case v1::VALIDATION_TYPE_DV:
      return domain::ValidationType::kDv;
    case v1::VALIDATION_TYPE_OV:
      return domain::ValidationType::kOv;
    case v1::VALIDATION_TYPE_EV:
      return domain::ValidationType::kEv;
    default:
      return domain::ValidationType::kUnspecified;
  }
}

v1::CheckOutcome ToProto(domain::Outcome outcome) {
  switch (outcome) {
    case domain::Outcome::kPass:
      return v1::CHECK_OUTCOME_PASS;
    case domain::Outcome::kFail:
      return v1::CHECK_OUTCOME_FAIL;
    case domain::Outcome::kWarning:
      return v1::CHECK_OUTCOME_WARNING;
    case domain::Outcome::kUnknown:
      return v1::CHECK_OUTCOME_UNKNOWN;
    case domain::Outcome::kError:
      return v1::CHECK_OUTCOME_ERROR;
  }
  return v1::CHECK_OUTCOME_UNSPECIFIED;
}

v1::Overall ToProto(domain::Overall overall) {
  switch (overall) {
    case domain::Overall::kPass:
      return v1::OVERALL_PASS;
    case domain::Overall::kFail:
      return v1::OVERALL_FAIL;
    case domain::Overall::kNeedsReview:
      return v1::OVERALL_NEEDS_REVIEW;
    case domain::Overall::kNotApplicable:
      return v1::OVERALL_NOT_APPLICABLE;
  }
  return v1::OVERALL_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<domain::PrevalidationRequest> FromProto(const v1::PrevalidateRequest& request) {
  domain::PrevalidationRequest out;
  out.validation_type = FromProto(request.validation_type());
  out.common_name = request.common_name();
  out.additional_names.assign(request.additional_names().begin(), request.additional_names().end());
  if (request.has_organization()) {
    const v1::Organization& organization = request.organization();
    domain::Organization& o = out.organization.emplace();
    o.legal_name = organization.legal_name();
    o.kvk_number = organization.kvk_number();
    o.street = organization.street();
    o.house_number = organization.house_number();
    o.house_number_addition = organization.house_number_addition();
    o.postcode = organization.postcode();
    o.city = organization.city();
    o.country_code = organization.country_code();
    o.phone = organization.phone();
  }
  if (!absl::StripAsciiWhitespace(request.csr()).empty()) {
    absl::StatusOr<domain::CsrSubject> subject = csr::DecodeCsrSubject(request.csr());
    if (!subject.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("csr: ", subject.status().message()));
    }
    out.csr = *std::move(subject);
  }
  return out;
}

void ToProto(const domain::Report& report, v1::PrevalidationReport* out) {
  out->set_overall(ToProto(report.overall));
  for (const domain::CheckResult& check : report.checks) {
    v1::CheckResult* result = out->add_checks();
    result->set_code(check.code);
    result->set_outcome(ToProto(check.outcome));
    result->set_message(check.message);
    result->set_evidence(check.evidence);
    result->set_remedy(check.remedy);
    result->set_source(check.source);
  }
  const int64_t nanos = absl::ToUnixNanos(report.checked_at);
  out->mutable_checked_at()->set_seconds(nanos / 1'000'000'000);
  out->mutable_checked_at()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  out->set_not_applicable_reason(report.not_applicable_reason);
}

}  // namespace sslpanel::prevalidation::grpc
