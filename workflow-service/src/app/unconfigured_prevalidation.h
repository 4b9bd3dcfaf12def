// The prevalidation client when no prevalidation service is configured
// (--prevalidation_address empty): every call answers UNAVAILABLE saying
// so, and the processor retries it like any unavailable peer, so OV/EV
// orders wait at prevalidation, visibly, until a service is configured.
#pragma once

#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::app {

inline constexpr char kNoPrevalidationService[] =
    "no prevalidation service is configured (--prevalidation_address is empty); OV and EV"
    " orders wait at prevalidation until one is";

class UnconfiguredPrevalidation final : public PrevalidationClient {
 public:
  absl::StatusOr<PrevalidationAnswer> Prevalidate(const domain::Order&,
                                                  const domain::Certificate&) override {
    return absl::UnavailableError(kNoPrevalidationService);
  }
};

}  // namespace sslpanel::workflow::app
