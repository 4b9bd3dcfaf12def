// The capabilities each CA adapter declares (GetCapabilities), asked once
// and kept for a while: the DCV operations check them before deciding, and
// the status sync honours the adapter's polling bounds. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::app {

class CapabilityCache {
 public:
  CapabilityCache(CaRouter& adapters, const Clock& clock, absl::Duration ttl = absl::Minutes(5))
      : adapters_(adapters), clock_(clock), ttl_(ttl) {}

  // The adapter's capabilities, asked again once `ttl` has passed. Errors
  // (adapter down, none configured) are not kept: UNAVAILABLE, retry.
  absl::StatusOr<CaCapabilities> For(const std::string& adapter);
  // What was last read, however old, without asking the adapter (reads of
  // orders must not wait on a CA adapter); nullopt when never read.
  std::optional<CaCapabilities> Cached(const std::string& adapter);

 private:
  struct Entry {
    CaCapabilities capabilities;
    absl::Time fetched_at;
  };

  CaRouter& adapters_;
  const Clock& clock_;
  absl::Duration ttl_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace sslpanel::workflow::app
