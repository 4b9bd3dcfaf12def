#include "common/grpc/authz.h"

#include <google/protobuf/descriptor.h>
#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <sys/stat.h>

#include <atomic>
#include <optional>
#include <set>
#include <thread>

#include <grpcpp/server_context.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/authz/certificates.h"
#include "common/authz/policy.h"
#include "common/grpc/caller.h"
#include "common/log/log.h"
#include "common/time/clock.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace sslpanel::grpc_util {
namespace {

constexpr char kPolicyFlag[] = "--authz_policy_file";
constexpr absl::Duration kLogEvery = absl::Minutes(1);
constexpr char kReflectionMethods[][64] = {
    "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "grpc.reflection.v1.ServerReflection/ServerReflectionInfo"};

// What identifies a version of the policy file; a ConfigMap update swaps a
// symlink, which changes the inode.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = -1;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {};
  }
  return {st.st_dev, st.st_ino, st.st_size,
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

void LogCoverage(const authz::Policy& policy, const std::string& file,
                 const std::vector<std::string>& methods) {
  if (auto unknown = policy.UnknownEntries(methods); !unknown.empty()) {
    log::Warning("the authorization policy names methods this binary does not have (ignored)",
                 {{"file", file}, {"entries", absl::StrJoin(unknown, ",")}});
  }
  if (auto unnamed = policy.Unnamed(methods); !unnamed.empty()) {
    log::Warning("no role of the authorization policy may call these methods; denied to all",
                 {{"file", file}, {"methods", absl::StrJoin(unnamed, ",")}});
  }
}

}  // namespace

class Authorizer {
 public:
  Authorizer(const AuthzOptions& options, prometheus::Registry& registry, const Clock& clock,
             std::shared_ptr<const authz::Policy> policy, std::vector<std::string> methods)
      : options_(options),
        clock_(clock),
        methods_(std::move(methods)),
        known_(methods_.begin(), methods_.end()),
        denied_(prometheus::BuildCounter()
                    .Name("sslpanel_authz_denied_total")
                    .Help("Calls refused by the authorization check, by service, method and "
                          "caller identity.")
                    .Register(registry)),
        policy_(std::move(policy)),
        stamp_(StampOf(options.policy_file)),
        id_(NextId()) {
    for (const char* reflection : kReflectionMethods) {
      known_.insert(reflection);
    }
  }
  ~Authorizer() {
    Stop();
    Unregister(id_);
  }

  // What the connection's auth context names this authorizer by (see
  // Lookup): handlers reach the current policy through it.
  const std::string& id() const { return id_; }

  std::shared_ptr<const authz::Policy> policy() const {
    absl::MutexLock lock(&mu_);
    return policy_;
  }

  // The role the current policy gives `identity`; nullopt when it lists it
  // not, or there is no policy (`roles_in_use` tells which).
  std::optional<std::string> RoleOf(const std::string& identity, bool* roles_in_use) const {
    const std::shared_ptr<const authz::Policy> current = policy();
    *roles_in_use = current != nullptr;
    return current != nullptr ? current->RoleOf(identity) : std::nullopt;
  }

  // The in-handler check of RequireRole: refused like the check before the
  // handler (counted, logged, PERMISSION_DENIED naming identity and role).
  grpc::Status RequireRole(const authz::CallFacts& call, const std::string& needed) {
    bool roles_in_use = false;
    const std::optional<std::string> role = RoleOf(call.identity, &roles_in_use);
    if (!roles_in_use || role == needed) {
      return grpc::Status::OK;
    }
    authz::Decision decision;
    decision.verdict = authz::Verdict::kPermissionDenied;
    decision.role = role.value_or("");
    decision.message =
        role.has_value()
            ? absl::StrCat("caller ", call.identity, " (role ", *role, ") may not call ",
                           call.method, ": that needs the ", needed, " role")
            : absl::StrCat("caller ", call.identity.empty() ? "(no identity)" : call.identity,
                           " is not listed in this server's policy; ", call.method, " needs the ",
                           needed, " role");
    Refused(call, decision);
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, decision.message);
  }

  authz::Decision Check(const authz::CallFacts& call) {
    const std::shared_ptr<const authz::Policy> current = policy();
    authz::Decision decision = authz::Decide(current.get(), call);
    if (decision.verdict != authz::Verdict::kAdmit) {
      Refused(call, decision);
    }
    return decision;
  }

  void StartWatching() {
    if (!options_.policy_file.empty() && options_.refresh > absl::ZeroDuration()) {
      thread_ = std::thread([this] { Watch(); });
    }
  }

  void Stop() {
    {
      absl::MutexLock lock(&stop_mu_);
      stopping_ = true;
    }
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  static std::string NextId();
  static void Unregister(const std::string& id);

  void Refused(const authz::CallFacts& call, const authz::Decision& decision) {
    // Label values are bounded: unknown paths (anyone can send any) share
    // one series, and identities come only from certificates of our CA.
    const bool known = known_.count(call.method) > 0;
    const std::string identity = !call.has_certificate   ? "(none)"
                                 : call.identity.empty() ? "(no identity)"
                                                         : call.identity;
    denied_
        .Add({{"service", known ? authz::ServiceOf(call.method) : "(unknown)"},
              {"method", known ? authz::ShortName(call.method) : "(unknown)"},
              {"identity", identity}})
        .Increment();
    const absl::Time now = clock_.Now();
    const std::string key = absl::StrCat(identity, " ", known ? call.method : "(unknown)");
    {
      absl::MutexLock lock(&log_mu_);
      auto [it, fresh] = last_logged_.try_emplace(key, now);
      if (!fresh && now - it->second < kLogEvery) {
        return;
      }
      it->second = now;
      if (last_logged_.size() > 10000) {
        absl::erase_if(last_logged_, [&](const auto& e) { return now - e.second >= kLogEvery; });
      }
    }
    log::Warning(
        "call refused by the authorization check (logged once a minute per caller "
        "and method)",
        {{"identity", identity},
         {"role", decision.role},
         {"method", call.method},
         {"code", decision.verdict == authz::Verdict::kUnauthenticated ? "UNAUTHENTICATED"
                                                                       : "PERMISSION_DENIED"},
         {"reason", decision.message}});
  }

  void Watch() {
    absl::MutexLock lock(&stop_mu_);
    while (!stop_mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.refresh)) {
      stop_mu_.Unlock();
      ReloadIfChanged();
      stop_mu_.Lock();
    }
  }

  void ReloadIfChanged() {
    const FileStamp stamp = StampOf(options_.policy_file);
    if (stamp == stamp_) {
      return;
    }
    stamp_ = stamp;
    auto loaded = authz::Policy::LoadFile(kPolicyFlag, options_.policy_file);
    if (!loaded.ok()) {
      log::Error("the changed authorization policy is not usable; keeping the previous one",
                 {{"error", loaded.status()}});
      return;
    }
    LogCoverage(*loaded, options_.policy_file, methods_);
    {
      absl::MutexLock lock(&mu_);
      policy_ = std::make_shared<const authz::Policy>(*std::move(loaded));
    }
    log::Info("authorization policy reloaded", {{"file", options_.policy_file}});
  }

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

namespace {

// The live authorizers by id. A handler has only its ServerContext, whose
// auth context belongs to the connection: the processor writes there, once
// per connection, which authorizer checks it (a client cannot set auth
// context properties), and a handler looks the authorizer up here to ask
// the policy of the moment, not the one the connection started under.
absl::Mutex registry_mu(absl::kConstInit);
absl::flat_hash_map<std::string, std::weak_ptr<Authorizer>>& Registry()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(registry_mu) {
  static auto* registry = new absl::flat_hash_map<std::string, std::weak_ptr<Authorizer>>();
  return *registry;
}

void Register(const std::shared_ptr<Authorizer>& authorizer) {
  absl::MutexLock lock(&registry_mu);
  Registry()[authorizer->id()] = authorizer;
}

std::shared_ptr<Authorizer> Lookup(const std::string& id) {
  absl::MutexLock lock(&registry_mu);
  auto it = Registry().find(id);
  return it == Registry().end() ? nullptr : it->second.lock();
}

std::string Property(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  return values.empty() ? "" : std::string(values.front().data(), values.front().size());
}

}  // namespace

std::string Authorizer::NextId() {
  static std::atomic<int64_t> next{0};
  return std::to_string(++next);
}

void Authorizer::Unregister(const std::string& id) {
  absl::MutexLock lock(&registry_mu);
  Registry().erase(id);
}

namespace {

class AuthzProcessor final : public grpc::AuthMetadataProcessor {
 public:
  explicit AuthzProcessor(std::shared_ptr<Authorizer> authorizer)
      : authorizer_(std::move(authorizer)) {}

  // Cheap and never waits: run inline rather than on gRPC's thread pool.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata*,
                       OutputMetadata*) override {
    authz::CallFacts call;
    if (auto path = metadata.find(":path"); path != metadata.end()) {
      call.method =
          authz::MethodOfPath(absl::string_view(path->second.data(), path->second.size()));
    }
    Identify(*context, &call);
    const authz::Decision decision = authorizer_->Check(call);
    switch (decision.verdict) {
      case authz::Verdict::kAdmit:
        return grpc::Status::OK;
      case authz::Verdict::kUnauthenticated:
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, decision.message);
      case authz::Verdict::kPermissionDenied:
        break;
    }
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, decision.message);
  }

 private:
  // The auth context belongs to the connection and is shared by its calls,
  // which may be processed concurrently: its properties are written once,
  // under this lock, before the connection's first call can reach a
  // handler, and never again, so handlers read them without a lock. Only
  // what cannot change on a connection is written: the identity (from the
  // certificate) and which authorizer checks it. The role is never cached:
  // every call, and CallerOf, asks the policy of the moment.
  void Identify(grpc::AuthContext& context, authz::CallFacts* call) {
    call->has_certificate = !context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME).empty();
    absl::MutexLock lock(&mu_);
    if (!context.FindPropertyValues(kAuthorizerProperty).empty()) {
      call->identity = Property(context, kIdentityProperty);
      return;
    }
    if (auto pem = context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME); !pem.empty()) {
      auto identity =
          authz::IdentityFromCertificate(absl::string_view(pem[0].data(), pem[0].size()));
      call->identity = identity.ok() ? *identity : "";
      context.AddProperty(kIdentityProperty, call->identity);
    }
    context.AddProperty(kAuthorizerProperty, authorizer_->id());
  }

  std::shared_ptr<Authorizer> authorizer_;
  absl::Mutex mu_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<Authorizer>> StartAuthorizer(const AuthzOptions& options,
                                                            prometheus::Registry& registry,
                                                            const Clock& clock) {
  std::shared_ptr<const authz::Policy> policy;
  const std::vector<std::string> methods = MethodsOf(options.services);
  if (!options.policy_file.empty()) {
    auto loaded = authz::Policy::LoadFile(kPolicyFlag, options.policy_file);
    if (!loaded.ok()) {
      return loaded.status();
    }
    LogCoverage(*loaded, options.policy_file, methods);
    log::Info("authorization policy loaded",
              {{"file", options.policy_file},
               {"identity_rules", loaded->identity_count()},
               {"roles", static_cast<int64_t>(loaded->roles().size())}});
    policy = std::make_shared<const authz::Policy>(*std::move(loaded));
  }
  auto authorizer =
      std::make_shared<Authorizer>(options, registry, clock, std::move(policy), methods);
  Register(authorizer);
  authorizer->StartWatching();
  return authorizer;
}

void StopAuthorizer(Authorizer& authorizer) { authorizer.Stop(); }

std::shared_ptr<grpc::AuthMetadataProcessor> NewAuthzProcessor(
    std::shared_ptr<Authorizer> authorizer) {
  return std::make_shared<AuthzProcessor>(std::move(authorizer));
}

namespace internal {

std::shared_ptr<Authorizer> AuthorizerOf(const grpc::AuthContext& auth) {
  const std::string id = Property(auth, kAuthorizerProperty);
  return id.empty() ? nullptr : Lookup(id);
}

std::optional<std::string> CurrentRoleOf(const Authorizer& authorizer, const std::string& identity,
                                         bool* roles_in_use) {
  return authorizer.RoleOf(identity, roles_in_use);
}

}  // namespace internal

grpc::Status RequireRole(const grpc::ServerContextBase& context, const std::string& method,
                         const std::string& role) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || Property(*auth, kAuthorizerProperty).empty()) {
    return grpc::Status::OK;  // no mutual TLS: no identities, no roles
  }
  const std::shared_ptr<Authorizer> authorizer = internal::AuthorizerOf(*auth);
  if (authorizer == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
  }
  authz::CallFacts call;
  call.has_certificate = !auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME).empty();
  call.identity = Property(*auth, kIdentityProperty);
  call.method = method;
  return authorizer->RequireRole(call, role);
}

std::vector<std::string> MethodsOf(const std::vector<std::string>& services) {
  std::vector<std::string> methods;
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      methods.push_back(absl::StrCat(name, "/", service->method(i)->name()));
    }
  }
  return methods;
}

}  // namespace sslpanel::grpc_util
