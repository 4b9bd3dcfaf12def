#include "ca-adapter/src/sandbox/sandbox_adapter.h"

#include "ca-adapter/src/sandbox/sandbox_backend.h"
#include "ca-adapter/src/sandbox/sandbox_ca.h"
#include "ca-adapter/src/sandbox/sandbox_store.h"

namespace sslpanel::ca::sandbox {
namespace {

struct Sandbox {
  std::unique_ptr<SandboxCa> ca;
  std::unique_ptr<SandboxOrderStore> store;
  std::unique_ptr<SandboxBackend> backend;
};

}  // namespace

absl::StatusOr<std::shared_ptr<app::CaBackend>> MakeSandboxBackend(const SandboxConfig& config,
                                                                   mysql::ConnectionPool& pool,
                                                                   const Clock& clock,
                                                                   app::RandomSource& random) {
  if (absl::Status valid = config.behaviour.Validate(); !valid.ok()) {
    return valid;
  }
  auto sandbox = std::make_shared<Sandbox>();
  absl::StatusOr<std::unique_ptr<SandboxCa>> ca =
      SandboxCa::LoadOrCreate(config.ca_dir, clock, random);
  if (!ca.ok()) {
    return ca.status();
  }
  sandbox->ca = *std::move(ca);
  sandbox->store = std::make_unique<SandboxOrderStore>(pool);
  sandbox->backend = std::make_unique<SandboxBackend>(config.behaviour, *sandbox->ca,
                                                      *sandbox->store, clock, random);
  // Aliasing: the pointer is the backend, ownership is the whole bundle.
  return std::shared_ptr<app::CaBackend>(sandbox, sandbox->backend.get());
}

}  // namespace sslpanel::ca::sandbox
