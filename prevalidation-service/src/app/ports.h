// The data sources the prevalidation use case needs, as interfaces the
// clients (and tests' fakes) implement. Every implementation must be safe to
// call from several threads at once: the gRPC server calls them per request.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "domain/registry.h"

namespace sslpanel::prevalidation::app {

// The KvK (Chamber of Commerce) register.
class KvkRegistry {
 public:
  virtual ~KvkRegistry() = default;
  // The company registered under `kvk_number` (8 digits), or a lookup with no
  // company when the register does not know the number. UNAVAILABLE when the
  // register cannot answer (down, timing out, quota, unexpected answer).
  virtual absl::StatusOr<domain::CompanyLookup> FindCompany(const std::string& kvk_number) = 0;
};

// The .nl domain registry (SIDN's RDAP service).
class DomainRegistry {
 public:
  virtual ~DomainRegistry() = default;
  // The registration of `domain` (ASCII, e.g. "example.nl"); exists is false
  // when the registry does not know it. UNAVAILABLE as for KvkRegistry.
  virtual absl::StatusOr<domain::DomainRegistration> LookupDomain(const std::string& domain) = 0;
};

// A public telephone source.
class PhoneDirectory {
 public:
  virtual ~PhoneDirectory() = default;
  // The listing of `number` (E.164), or a lookup without one.
  virtual absl::StatusOr<domain::PhoneLookup> FindNumber(const std::string& number) = 0;
};

}  // namespace sslpanel::prevalidation::app
