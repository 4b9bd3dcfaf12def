#include "app/prevalidator.h"

#include <future>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/applicability.h"
#include "domain/kvk_checks.h"
#include "domain/other_checks.h"
#include "domain/validation.h"

namespace sslpanel::prevalidation::app {
namespace {

// A source that answered too late is down as far as the caller is
// concerned: UNAVAILABLE tells the workflow to retry, never to fail.
absl::Status AsSourceError(const absl::Status& status, absl::string_view source) {
  if (absl::IsDeadlineExceeded(status) || absl::IsUnavailable(status)) {
    return absl::UnavailableError(absl::StrCat(source, " unavailable: ", status.message()));
  }
  return status;
}

}  // namespace

absl::StatusOr<domain::Report> Prevalidator::Run(
    const domain::PrevalidationRequest& request) const {
  absl::StatusOr<domain::ValidatedNames> names = domain::ValidateRequest(request);
  if (!names.ok()) {
    return names.status();
  }
  domain::Report report;
  report.checked_at = clock_.Now();
  const domain::Applicability applicability = domain::DecideApplicability(
      request.validation_type, names->common_name,
      request.organization.has_value() ? request.organization->country_code : "");
  if (!applicability.applies) {
    report.overall = domain::Overall::kNotApplicable;
    report.not_applicable_reason = applicability.reason;
    return report;
  }
  absl::StatusOr<domain::DutchOrganization> organization =
      domain::ValidateDutchOrganization(*request.organization);
  if (!organization.ok()) {
    return organization.status();
  }
  const std::string domain_name = domain::RegisteredNlDomain(names->common_name);

  // The two registries are independent: ask them side by side so a slow one
  // costs its own time only. The future's destructor waits, so an early
  // return below never leaves the lookup running on dead references.
  std::future<absl::StatusOr<domain::CompanyLookup>> company_future =
      std::async(std::launch::async,
                 [this, &organization] { return kvk_.FindCompany(organization->kvk_number); });
  absl::StatusOr<domain::DomainRegistration> registration = domains_.LookupDomain(domain_name);
  std::optional<domain::PhoneLookup> phone;
  absl::Status phone_status;
  if (phones_ != nullptr && organization->phone.has_value()) {
    absl::StatusOr<domain::PhoneLookup> found = phones_->FindNumber(*organization->phone);
    if (found.ok()) {
      phone = *std::move(found);
    } else {
      phone_status = found.status();
    }
  }
  absl::StatusOr<domain::CompanyLookup> company_lookup = company_future.get();
  if (!company_lookup.ok()) {
    return AsSourceError(company_lookup.status(), "KvK register");
  }
  if (!registration.ok()) {
    return AsSourceError(registration.status(), ".nl domain registry");
  }
  if (!phone_status.ok()) {
    return AsSourceError(phone_status, "telephone directory");
  }

  std::vector<domain::CheckResult>& checks = report.checks;
  checks.push_back(domain::CheckKvkNumberFormat(*organization));
  checks.push_back(domain::CheckCompanyFound(*organization, *company_lookup));
  std::vector<domain::RegisteredName> registered;
  if (company_lookup->company.has_value()) {
    const domain::Company& company = *company_lookup->company;
    registered = domain::RegisteredNames(company);
    // KvK dates are calendar dates; the day boundary in UTC is close enough
    // to the Dutch one for a register that changes once a day.
    const std::string today = absl::FormatTime("%Y%m%d", report.checked_at, absl::UTCTimeZone());
    checks.push_back(domain::CheckCompanyActive(company, today));
    checks.push_back(domain::CheckNameMatch(*organization, company));
    checks.push_back(domain::CheckAddressMatch(*organization, company));
  } else {
    for (absl::string_view code :
         {domain::kKvkCompanyActive, domain::kKvkNameMatch, domain::kKvkAddressMatch}) {
      checks.push_back(
          domain::NotRun(code, "the KvK number is not in the register", company_lookup->source));
    }
  }
  checks.push_back(domain::CheckCsrSubject(request.csr, *organization, registered));
  checks.push_back(domain::CheckPhoneListed(phone, phones_ != nullptr, *organization, registered,
                                            request.validation_type));
  checks.push_back(domain::CheckDomainExists(*registration));
  checks.push_back(domain::CheckDomainRegistrant(*registration, *organization, registered));
  report.overall = domain::Summarize(checks);
  return report;
}

}  // namespace sslpanel::prevalidation::app
