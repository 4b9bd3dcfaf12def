// Registries that remember answers for a short time (--cache_ttl): KvK
// lookups cost quota and money, and one customer's burst of orders asks the
// same questions. Wrap the real clients; errors pass through uncached.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "app/ports.h"
#include "app/ttl_cache.h"
#include "common/time/clock.h"

namespace sslpanel::prevalidation::app {

class CachingKvkRegistry final : public KvkRegistry {
 public:
  CachingKvkRegistry(KvkRegistry& inner, const Clock& clock, absl::Duration ttl)
      : inner_(inner), cache_(clock, ttl) {}
  absl::StatusOr<domain::CompanyLookup> FindCompany(const std::string& kvk_number) override;

 private:
  KvkRegistry& inner_;
  TtlCache<domain::CompanyLookup> cache_;
};

class CachingDomainRegistry final : public DomainRegistry {
 public:
  CachingDomainRegistry(DomainRegistry& inner, const Clock& clock, absl::Duration ttl)
      : inner_(inner), cache_(clock, ttl) {}
  absl::StatusOr<domain::DomainRegistration> LookupDomain(const std::string& domain) override;

 private:
  DomainRegistry& inner_;
  TtlCache<domain::DomainRegistration> cache_;
};

}  // namespace sslpanel::prevalidation::app
