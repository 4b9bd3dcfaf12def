// The authorization check of a mutual-TLS server: every call is admitted or
// refused by authz::Decide before it reaches a handler, the caller's
// identity is published for CallerOf (caller.h), and refusals are
// counted (sslpanel_authz_denied_total{service,method,identity}) and logged
// once per (identity, method) per minute. The policy file is re-read when it
// changes; a file that no longer parses keeps the previous policy (logged).
//
// Why an AuthMetadataProcessor and not an interceptor or gRPC's own policy:
// a gRPC 1.51 server interceptor cannot stop the handler of a call it
// refuses (grpc/grpc#24017, see drain.h), so a refused mutation would still
// run; the processor runs in the server's auth filter, which fails the call
// before it is matched to a handler, and it sees the connection's auth
// context (the peer certificate) and the :path. gRPC's built-in
// authorization policy has no roles and no hook for metrics (policy.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace grpc {
class AuthContext;
class AuthMetadataProcessor;
class ServerContextBase;
class Status;
}  // namespace grpc

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace sslpanel {
class Clock;
}  // namespace sslpanel

namespace sslpanel::grpc_util {

class Authorizer;

struct AuthzOptions {
  // --authz_policy_file; empty: mutual TLS alone (every certificate of the
  // client CA with an identity is admitted).
  std::string policy_file;
  // How often the file is checked for changes.
  absl::Duration refresh = absl::Seconds(10);
  // The fully qualified services this server hosts, whose methods the
  // policy is checked against at start.
  std::vector<std::string> services;
};

// Loads the policy (a malformed file fails, naming it), logs the policy
// entries this binary lacks and the methods no role may call, and starts
// watching the file. `registry` and `clock` must outlive the result.
absl::StatusOr<std::shared_ptr<Authorizer>> StartAuthorizer(const AuthzOptions& options,
                                                            prometheus::Registry& registry,
                                                            const Clock& clock);

// Stops watching the policy file (the check itself keeps working).
void StopAuthorizer(Authorizer& authorizer);

// The processor to install on the server's credentials.
std::shared_ptr<grpc::AuthMetadataProcessor> NewAuthzProcessor(
    std::shared_ptr<Authorizer> authorizer);

// For a handler whose RPC needs one role whatever the policy grants (the
// workflow's OverridePrevalidation needs "ops"): with a policy loaded, the
// call is refused unless the current policy gives the caller `role` (an
// unlisted identity too), PERMISSION_DENIED naming identity, role and
// `method` ("package.Service/Method"), counted in
// sslpanel_authz_denied_total and logged like every refusal. Without mutual
// TLS or without a policy it admits (there are no roles).
grpc::Status RequireRole(const grpc::ServerContextBase& context, const std::string& method,
                         const std::string& role);

namespace internal {
// For CallerOf: the authorizer that checked the connection of `auth` (null
// without mutual TLS) and the role its current policy gives `identity`.
std::shared_ptr<Authorizer> AuthorizerOf(const grpc::AuthContext& auth);
std::optional<std::string> CurrentRoleOf(const Authorizer& authorizer, const std::string& identity,
                                         bool* roles_in_use);
}  // namespace internal

// Every method ("package.Service/Method") of `services`, from the linked-in
// descriptors; services this binary has no descriptor of are skipped.
std::vector<std::string> MethodsOf(const std::vector<std::string>& services);

}  // namespace sslpanel::grpc_util
