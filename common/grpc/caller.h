// Who is calling: the identity of the peer's client certificate and the
// role the authorization policy gives it now, for handlers that record or
// check the caller (the workflow's events, OverridePrevalidation). Never
// taken from a request field.
//
// The server's authorization check (common/grpc/authz.h) publishes in the
// connection's auth context, before any handler runs, the identity (the
// property "sslpanel_identity") and which authorizer checks the connection
// ("sslpanel_authorizer"); a client cannot set auth context properties.
// gRPC keeps one auth context per connection, so only what cannot change on
// a connection is published there: the role is asked of the current policy
// on every CallerOf, so a reloaded policy's promotions and demotions apply
// to connections already open.
#pragma once

#include <string>

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace sslpanel::grpc_util {

inline constexpr char kIdentityProperty[] = "sslpanel_identity";
inline constexpr char kAuthorizerProperty[] = "sslpanel_authorizer";

struct Caller {
  // e.g. "spiffe://sslpanel.local/billing"; empty when mutual TLS is off.
  std::string identity;
  // e.g. "billing", from the policy of the moment; empty when no
  // --authz_policy_file is set or the policy does not list the identity.
  std::string role;
  // Whether a policy is loaded: an empty role then means "not listed".
  bool roles_in_use = false;
};

Caller CallerOf(const grpc::ServerContextBase& context);

}  // namespace sslpanel::grpc_util
