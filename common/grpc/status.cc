#include "common/grpc/status.h"

#include <string>

#include "common/log/log.h"

namespace sslpanel::grpc_util {

grpc::Status ToGrpc(const absl::Status& status, absl::string_view rpc) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  const auto code = static_cast<grpc::StatusCode>(status.code());
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    log::Error("internal error", {{"rpc", rpc}, {"status", status}});
    return grpc::Status(code, "internal error; the details are in the service log");
  }
  return grpc::Status(code, std::string(status.message()));
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace sslpanel::grpc_util
