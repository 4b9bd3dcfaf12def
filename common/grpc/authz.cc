#include "common/grpc/authz.h"

#include <google/protobuf/descriptor.h>
#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/auth_metadata_processor.h>

#include <atomic>
#include <optional>

#include <grpcpp/server_context.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/authz/certificates.h"
#include "common/authz/policy.h"
#include "common/grpc/authorizer.h"
#include "common/grpc/caller.h"
#include "common/log/log.h"
#include "common/time/clock.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace sslpanel::grpc_util {

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
