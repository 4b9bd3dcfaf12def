#include "common/grpc/caller.h"

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

#include "common/grpc/authz.h"

namespace sslpanel::grpc_util {

Caller CallerOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) {
    return {};
  }
  Caller caller;
  if (auto identity = auth->FindPropertyValues(kIdentityProperty); !identity.empty()) {
    caller.identity.assign(identity.front().data(), identity.front().size());
  }
  if (const std::shared_ptr<Authorizer> authorizer = internal::AuthorizerOf(*auth);
      authorizer != nullptr) {
    caller.role =
        internal::CurrentRoleOf(*authorizer, caller.identity, &caller.roles_in_use).value_or("");
  }
  return caller;
}

}  // namespace sslpanel::grpc_util
