// The authorization policy file (--authz_policy_file): operators and
// ConfigMap generators write it, and the servers re-read it while serving, so
// any text must be refused with a message or accepted whole, never crash.
// An accepted policy must decide consistently: what an entry grants, its
// role may call; a caller without a certificate may call nothing but health.
#include <cstdlib>

#include "common/authz/policy.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  using namespace sslpanel::authz;
  absl::StatusOr<Policy> policy = Policy::Parse(sslpanel::fuzz::Text(data, size));
  if (!policy.ok()) {
    return 0;
  }
  for (const auto& [role, entries] : policy->roles()) {
    for (const std::string& entry : entries) {
      const std::string method = ServiceOf(entry) + "/Method";
      if (!policy->Allows(role, entry.back() == '*' ? method : entry)) {
        std::abort();
      }
      if (ServiceOf(method) != "grpc.health.v1.Health" &&
          Decide(&*policy, {false, "", method}).verdict != Verdict::kUnauthenticated) {
        std::abort();
      }
    }
  }
  (void)policy->Unnamed({"a.B/C"});
  (void)policy->UnknownEntries({"a.B/C"});
  return 0;
}
