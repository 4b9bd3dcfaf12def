// The prevalidation use case: validate the request, decide whether the
// Dutch checks apply, ask the KvK register, the .nl registry (for every
// registered .nl domain of the order) and the phone directory, and turn their
// answers into a report (DESIGN.md checks 1-9).
#pragma once

#include <cstddef>

#include "absl/status/statusor.h"
#include "app/ports.h"
#include "common/time/clock.h"
#include "domain/check.h"
#include "domain/request.h"

namespace sslpanel::prevalidation::app {

class Prevalidator {
 public:
  // Registered .nl domains looked up per order (the common name's first);
  // more are reported as one UNKNOWN result instead of being looked up.
  static constexpr size_t kMaxDomainLookups = 20;
  // Domain lookups in flight at once for one order.
  static constexpr size_t kParallelDomainLookups = 4;

  // `phones` may be null: no telephone source configured. The references
  // must outlive the Prevalidator.
  Prevalidator(KvkRegistry& kvk, DomainRegistry& domains, PhoneDirectory* phones,
               const Clock& clock)
      : kvk_(kvk), domains_(domains), phones_(phones), clock_(clock) {}

  // The report, or INVALID_ARGUMENT naming the bad field, or UNAVAILABLE when
  // a data source cannot answer (never a FAIL: the caller retries later).
  absl::StatusOr<domain::Report> Run(const domain::PrevalidationRequest& request) const;

 private:
  KvkRegistry& kvk_;
  DomainRegistry& domains_;
  PhoneDirectory* phones_;
  const Clock& clock_;
};

}  // namespace sslpanel::prevalidation::app
