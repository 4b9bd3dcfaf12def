// gRPC server reflection (grpc.reflection.v1 and v1alpha) served from a
// descriptor set that keeps the .proto comments, so `grpcurl describe` shows
// every field's documentation. gRPC's own reflection serves the generated
// descriptors, from which protoc drops the comments.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace sslpanel::grpc_util {

class ReflectionIndex;

// The two reflection services over one index. `services` are the fully
// qualified names ListServices reports.
class Reflection {
 public:
  // `descriptor_set` is a serialized FileDescriptorSet with imports and
  // source info (protoc --include_imports --include_source_info).
  static absl::StatusOr<std::unique_ptr<Reflection>> Create(absl::string_view descriptor_set,
                                                            std::vector<std::string> services);
  ~Reflection();

  grpc::Service* v1();
  grpc::Service* v1alpha();

 private:
  Reflection();
  std::unique_ptr<ReflectionIndex> index_;
  std::unique_ptr<grpc::Service> v1_;
  std::unique_ptr<grpc::Service> v1alpha_;
};

}  // namespace sslpanel::grpc_util
