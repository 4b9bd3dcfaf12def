#include "common/grpc/authorizer.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"

namespace sslpanel::grpc_util {
namespace {

constexpr absl::Duration kLogEvery = absl::Minutes(1);
constexpr char kReflectionMethods[][64] = {
    "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "grpc.reflection.v1.ServerReflection/ServerReflectionInfo"};

FileStamp StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {};
  }
  return {st.st_dev, st.st_ino, st.st_size,
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

}  // namespace

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

Authorizer::Authorizer(const AuthzOptions& options, prometheus::Registry& registry,
                       const Clock& clock, std::shared_ptr<const authz::Policy> policy,
                       std::vector<std::string> methods)
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

Authorizer::~Authorizer() {
  Stop();
  Unregister(id_);
}

std::shared_ptr<const authz::Policy> Authorizer::policy() const {
  absl::MutexLock lock(&mu_);
  return policy_;
}

std::optional<std::string> Authorizer::RoleOf(const std::string& identity,
                                              bool* roles_in_use) const {
  const std::shared_ptr<const authz::Policy> current = policy();
  *roles_in_use = current != nullptr;
  return current != nullptr ? current->RoleOf(identity) : std::nullopt;
}

grpc::Status Authorizer::RequireRole(const authz::CallFacts& call, const std::string& needed) {
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
          ? absl::StrCat("caller ", call.identity, " (role ", *role, ") may not call ", call.method,
                         ": that needs the ", needed, " role")
          : absl::StrCat("caller ", call.identity.empty() ? "(no identity)" : call.identity,
                         " is not listed in this server's policy; ", call.method, " needs the ",
                         needed, " role");
  Refused(call, decision);
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, decision.message);
}

authz::Decision Authorizer::Check(const authz::CallFacts& call) {
  const std::shared_ptr<const authz::Policy> current = policy();
  authz::Decision decision = authz::Decide(current.get(), call);
  if (decision.verdict != authz::Verdict::kAdmit) {
    Refused(call, decision);
  }
  return decision;
}

void Authorizer::StartWatching() {
  if (!options_.policy_file.empty() && options_.refresh > absl::ZeroDuration()) {
    thread_ = std::thread([this] { Watch(); });
  }
}

void Authorizer::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Authorizer::Refused(const authz::CallFacts& call, const authz::Decision& decision) {
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

void Authorizer::Watch() {
  absl::MutexLock lock(&stop_mu_);
  while (!stop_mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.refresh)) {
    stop_mu_.Unlock();
    ReloadIfChanged();
    stop_mu_.Lock();
  }
}

void Authorizer::ReloadIfChanged() {
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

}  // namespace sslpanel::grpc_util
