#include "common/grpc/authz.h"

#include <google/protobuf/descriptor.h>
#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <sys/stat.h>

#include <set>
#include <thread>

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
        stamp_(StampOf(options.policy_file)) {
    for (const char* reflection : kReflectionMethods) {
      known_.insert(reflection);
    }
  }
  ~Authorizer() { Stop(); }

  std::shared_ptr<const authz::Policy> policy() const {
    absl::MutexLock lock(&mu_);
    return policy_;
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
};

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
  // handler, and never again, so handlers read them without a lock.
  void Identify(grpc::AuthContext& context, authz::CallFacts* call) {
    absl::MutexLock lock(&mu_);
    if (auto published = context.FindPropertyValues(kIdentityProperty); !published.empty()) {
      call->has_certificate = true;
      call->identity.assign(published[0].data(), published[0].size());
      return;
    }
    auto pem = context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pem.empty()) {
      return;  // no certificate: nothing to publish
    }
    call->has_certificate = true;
    auto identity = authz::IdentityFromCertificate(absl::string_view(pem[0].data(), pem[0].size()));
    call->identity = identity.ok() ? *identity : "";
    const auto policy = authorizer_->policy();
    const std::optional<std::string> role =
        policy != nullptr ? policy->RoleOf(call->identity) : std::nullopt;
    context.AddProperty(kIdentityProperty, call->identity);
    context.AddProperty(kRoleProperty, role.value_or(""));
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
  authorizer->StartWatching();
  return authorizer;
}

void StopAuthorizer(Authorizer& authorizer) { authorizer.Stop(); }

std::shared_ptr<grpc::AuthMetadataProcessor> NewAuthzProcessor(
    std::shared_ptr<Authorizer> authorizer) {
  return std::make_shared<AuthzProcessor>(std::move(authorizer));
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
