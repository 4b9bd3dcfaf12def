#include "common/grpc/caller.h"

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

namespace sslpanel::grpc_util {
namespace {

std::string Property(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  return values.empty() ? "" : std::string(values.front().data(), values.front().size());
}

}  // namespace

Caller CallerOf(const grpc::ServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) {
    return {};
  }
  return {Property(*auth, kIdentityProperty), Property(*auth, kRoleProperty)};
}

}  // namespace sslpanel::grpc_util
