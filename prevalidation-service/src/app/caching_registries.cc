#include "app/caching_registries.h"

namespace sslpanel::prevalidation::app {

absl::StatusOr<domain::CompanyLookup> CachingKvkRegistry::FindCompany(
    const std::string& kvk_number) {
  return cache_.GetOrLoad(kvk_number, [&] { return inner_.FindCompany(kvk_number); });
}

absl::StatusOr<domain::DomainRegistration> CachingDomainRegistry::LookupDomain(
    const std::string& domain) {
  return cache_.GetOrLoad(domain, [&] { return inner_.LookupDomain(domain); });
}

}  // namespace sslpanel::prevalidation::app
