// The Authorizer behind authz.h's check: the policy of the moment (the
// file re-read when it changes), the decision for each call, and the
// counting and logging of refusals. Internal to common/grpc (authz.cc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/support/status.h>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/authz/policy.h"
#include "common/grpc/authz.h"
#include "common/time/clock.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace sslpanel::grpc_util {

inline constexpr char kPolicyFlag[] = "--authz_policy_file";

// Logs the entries of `policy` (read from `file`) that name none of
// `methods`, and the methods no role may call.
void LogCoverage(const authz::Policy& policy, const std::string& file,
                 const std::vector<std::string>& methods);

// What identifies a version of the policy file; a ConfigMap update swaps a
// symlink, which changes the inode.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = -1;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

class Authorizer {
 public:
  Authorizer(const AuthzOptions& options, prometheus::Registry& registry, const Clock& clock,
             std::shared_ptr<const authz::Policy> policy, std::vector<std::string> methods);
  ~Authorizer();

  // What the connection's auth context names this authorizer by (see
  // Lookup): handlers reach the current policy through it.
  const std::string& id() const { return id_; }

  std::shared_ptr<const authz::Policy> policy() const;

  // The role the current policy gives `identity`; nullopt when it lists it
  // not, or there is no policy (`roles_in_use` tells which).
  std::optional<std::string> RoleOf(const std::string& identity, bool* roles_in_use) const;

  // The in-handler check of RequireRole: refused like the check before the
  // handler (counted, logged, PERMISSION_DENIED naming identity and role).
  grpc::Status RequireRole(const authz::CallFacts& call, const std::string& needed);

  authz::Decision Check(const authz::CallFacts& call);

  void StartWatching();

  void Stop();

 private:
  static std::string NextId();
  static void Unregister(const std::string& id);

  void Refused(const authz::CallFacts& call, const authz::Decision& decision);

  void Watch();

  void ReloadIfChanged();

  const AuthzOptions options_;
  const Clock& clock_;
  const std::vector<std::string> methods_;
  std::set<std::string> known_;
  prometheus::Family<prometheus::Counter>& denied_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const authz::Policy> policy_ ABSL_GUARDED_BY(mu_);

  FileStamp stamp_;  // the watcher thread's own
  absl::Mutex stop_mu_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread thread_;

  absl::Mutex log_mu_;
  absl::flat_hash_map<std::string, absl::Time> last_logged_ ABSL_GUARDED_BY(log_mu_);

  const std::string id_;
};

}  // namespace sslpanel::grpc_util
