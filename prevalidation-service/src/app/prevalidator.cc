#include "app/prevalidator.h"

#include <algorithm>
#include <future>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/applicability.h"
#include "domain/host_name.h"
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
  // Every registered .nl domain the certificate would name gets its own
  // DOMAIN_EXISTS and DOMAIN_REGISTRANT_MATCH: a name under someone else's
  // domain must not ride along on the common name's.
  const std::vector<std::string> domain_names =
      domain::RegisteredNlDomains(names->common_name, names->additional_names);
  const size_t lookups = std::min(domain_names.size(), kMaxDomainLookups);

  // The registries are independent: ask them side by side so a slow one
  // costs its own time only. A future's destructor waits, so an early
  // return below never leaves a lookup running on dead references.
  std::future<absl::StatusOr<domain::CompanyLookup>> company_future =
      std::async(std::launch::async,
                 [this, &organization] { return kvk_.FindCompany(organization->kvk_number); });
  std::vector<absl::StatusOr<domain::DomainRegistration>> registrations;
  registrations.reserve(lookups);
  for (size_t first = 0; first < lookups; first += kParallelDomainLookups) {
    const size_t last = std::min(lookups, first + kParallelDomainLookups);
    std::vector<std::future<absl::StatusOr<domain::DomainRegistration>>> batch;
    for (size_t i = first + 1; i < last; ++i) {
      batch.push_back(std::async(std::launch::async, [this, &domain_names, i] {
        return domains_.LookupDomain(domain_names[i]);
      }));
    }
    registrations.push_back(domains_.LookupDomain(domain_names[first]));
    for (auto& lookup : batch) {
      registrations.push_back(lookup.get());
    }
  }
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
  for (const absl::StatusOr<domain::DomainRegistration>& registration : registrations) {
    if (!registration.ok()) {
      return AsSourceError(registration.status(), ".nl domain registry");
    }
  }
  if (!phone_status.ok()) {
    return AsSourceError(phone_status, "telephone directory");
  }

  std::vector<domain::CheckResult>& checks = report.checks;
  checks.push_back(domain::CheckKvkNumberFormat(*organization));
  checks.push_back(domain::CheckCompanyFound(*organization, *company_lookup));
  std::vector<domain::RegisteredName> registered;
  std::string registered_city;
  if (company_lookup->company.has_value()) {
    const domain::Company& company = *company_lookup->company;
    registered = domain::RegisteredNames(company);
    registered_city = domain::RegisteredVisitingCity(company);
    // KvK dates are calendar dates; the day boundary in UTC is close enough
    // to the Dutch one for a register that changes once a day.
    const std::string today = absl::FormatTime("%Y%m%d", report.checked_at, absl::UTCTimeZone());
    checks.push_back(domain::CheckCompanyActive(company, today));
    checks.push_back(domain::CheckNameMatch(*organization, company));
    checks.push_back(domain::CheckAddressMatch(*organization, company));
  } else {
    const absl::string_view reason = company_lookup->undetermined
                                         ? "the KvK register did not confirm the KvK number"
                                         : "the KvK number is not in the register";
    for (absl::string_view code :
         {domain::kKvkCompanyActive, domain::kKvkNameMatch, domain::kKvkAddressMatch}) {
      checks.push_back(domain::NotRun(code, reason, company_lookup->source));
    }
  }
  checks.push_back(
      domain::CheckCsrSubject(request.csr, *organization, registered, registered_city));
  checks.push_back(domain::CheckPhoneListed(phone, phones_ != nullptr, *organization, registered,
                                            request.validation_type));
  for (const absl::StatusOr<domain::DomainRegistration>& registration : registrations) {
    checks.push_back(domain::CheckDomainExists(*registration));
    checks.push_back(domain::CheckDomainRegistrant(*registration, *organization, registered));
  }
  if (domain_names.size() > lookups) {
    checks.push_back(domain::CheckDomainsNotLookedUp(
        std::vector<std::string>(domain_names.begin() + static_cast<std::ptrdiff_t>(lookups),
                                 domain_names.end()),
        kMaxDomainLookups));
  }
  report.overall = domain::Summarize(checks);
  return report;
}

}  // namespace sslpanel::prevalidation::app
