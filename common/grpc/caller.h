// Who is calling: the identity of the peer's client certificate and the
// role the authorization policy gives it, for handlers that record or check
// the caller (the workflow's events, OverridePrevalidation). Never taken
// from a request field.
//
// The server's authorization check (common/grpc/authz.h) publishes them in
// the call's auth context as the properties "sslpanel_identity" and
// "sslpanel_role" before any handler runs; a client cannot set auth context
// properties. gRPC keeps one auth context per connection, so they are set
// once, on the connection's first call: the identity cannot change on a
// connection, and the role is the one the policy gave when that call came
// (admission itself always follows the current policy).
#pragma once

#include <string>

namespace grpc {
class ServerContext;
}  // namespace grpc

namespace sslpanel::grpc_util {

inline constexpr char kIdentityProperty[] = "sslpanel_identity";
inline constexpr char kRoleProperty[] = "sslpanel_role";

struct Caller {
  // e.g. "spiffe://sslpanel.local/billing"; empty when mutual TLS is off.
  std::string identity;
  // e.g. "billing"; empty when no --authz_policy_file is set or the policy
  // does not list the identity (health, reflection).
  std::string role;
};

Caller CallerOf(const grpc::ServerContext& context);

}  // namespace sslpanel::grpc_util
