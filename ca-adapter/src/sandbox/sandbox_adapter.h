// Builds the sandbox CA backend with everything it refers to (the CA loaded
// from or created in its directory, the order store), kept alive together
// behind one shared pointer. Used by main() and by the tests.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/app/random_source.h"
#include "ca-adapter/src/sandbox/sandbox_policy.h"
#include "common/mysql/mysql.h"
#include "common/time/clock.h"

namespace sslpanel::ca::sandbox {

struct SandboxConfig {
  std::string ca_dir;
  SandboxBehaviour behaviour;
};

// INVALID_ARGUMENT naming the flag for a bad configuration.
absl::StatusOr<std::shared_ptr<app::CaBackend>> MakeSandboxBackend(const SandboxConfig& config,
                                                                   mysql::ConnectionPool& pool,
                                                                   const Clock& clock,
                                                                   app::RandomSource& random);

}  // namespace sslpanel::ca::sandbox
