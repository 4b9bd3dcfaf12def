#include "common/grpc/reflection.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace sslpanel::grpc_util {

// File name -> serialized FileDescriptorProto (comments included), plus a
// pool built from the same files to find the file of a symbol.
class ReflectionIndex {
 public:
  absl::Status Load(absl::string_view descriptor_set) {
    google::protobuf::FileDescriptorSet set;
    if (!set.ParseFromArray(descriptor_set.data(), static_cast<int>(descriptor_set.size()))) {
      return absl::InternalError("the embedded descriptor set does not parse");
    }
    for (const google::protobuf::FileDescriptorProto& file : set.file()) {
      if (pool_.BuildFile(file) == nullptr) {
        return absl::InternalError(absl::StrCat("descriptor ", file.name(), " does not build"));
      }
      files_[file.name()] = file.SerializeAsString();
      dependencies_[file.name()] =
          std::vector<std::string>(file.dependency().begin(), file.dependency().end());
    }
    return absl::OkStatus();
  }

  // The file and every file it needs, minus those already sent on this
  // stream; empty when unknown.
  std::vector<std::string> FileWithDependencies(const std::string& name,
                                                std::set<std::string>& sent) const {
    std::vector<std::string> out;
    std::vector<std::string> todo = {name};
    while (!todo.empty()) {
      const std::string next = todo.back();
      todo.pop_back();
      auto it = files_.find(next);
      if (it == files_.end() || !sent.insert(next).second) {
        continue;
      }
      out.push_back(it->second);
      for (const std::string& dependency : dependencies_.at(next)) {
        todo.push_back(dependency);
      }
    }
    return out;
  }

  bool HasFile(const std::string& name) const { return files_.count(name) > 0; }

  const google::protobuf::FileDescriptor* FileOfSymbol(const std::string& symbol) const {
    return pool_.FindFileContainingSymbol(symbol);
  }

  const google::protobuf::Descriptor* Message(const std::string& name) const {
    return pool_.FindMessageTypeByName(name);
  }

  const google::protobuf::DescriptorPool& pool() const { return pool_; }

 private:
  google::protobuf::DescriptorPool pool_;
  std::map<std::string, std::string> files_;
  std::map<std::string, std::vector<std::string>> dependencies_;
};

namespace {

// One implementation for both protocol versions: their messages have the
// same fields under different packages.
template <typename ServiceBase, typename Request, typename Response>
class ReflectionService final : public ServiceBase {
 public:
  ReflectionService(const ReflectionIndex& index, std::vector<std::string> services)
      : index_(index), services_(std::move(services)) {}

  grpc::Status ServerReflectionInfo(grpc::ServerContext* context,
                                    grpc::ServerReaderWriter<Response, Request>* stream) override {
    std::set<std::string> sent;  // files this stream already has
    Request request;
    while (stream->Read(&request)) {
      Response response;
      response.set_valid_host(request.host());
      *response.mutable_original_request() = request;
      Answer(request, sent, response);
      if (!stream->Write(response)) {
        break;
      }
    }
    return grpc::Status::OK;
  }

 private:
  void Files(const std::vector<std::string>& files, Response& response) {
    for (const std::string& file : files) {
      response.mutable_file_descriptor_response()->add_file_descriptor_proto(file);
    }
  }

  void NotFound(const std::string& what, Response& response) {
    response.mutable_error_response()->set_error_code(
        static_cast<int>(grpc::StatusCode::NOT_FOUND));
    response.mutable_error_response()->set_error_message(what);
  }

  void Answer(const Request& request, std::set<std::string>& sent, Response& response) {
    switch (request.message_request_case()) {
      case Request::kListServices:
        for (const std::string& name : services_) {
          response.mutable_list_services_response()->add_service()->set_name(name);
        }
        return;
      case Request::kFileByFilename:
        if (!index_.HasFile(request.file_by_filename())) {
          return NotFound(absl::StrCat("file not found: ", request.file_by_filename()), response);
        }
        // A file asked for by name is always sent, even if sent before.
        sent.erase(request.file_by_filename());
        return Files(index_.FileWithDependencies(request.file_by_filename(), sent), response);
      case Request::kFileContainingSymbol: {
        const auto* file = index_.FileOfSymbol(request.file_containing_symbol());
        if (file == nullptr) {
          return NotFound(absl::StrCat("symbol not found: ", request.file_containing_symbol()),
                          response);
        }
        sent.erase(file->name());
        return Files(index_.FileWithDependencies(file->name(), sent), response);
      }
      case Request::kFileContainingExtension: {
        const auto& wanted = request.file_containing_extension();
        const auto* type = index_.Message(wanted.containing_type());
        const auto* extension =
            type == nullptr ? nullptr
                            : index_.pool().FindExtensionByNumber(type, wanted.extension_number());
        if (extension == nullptr) {
          return NotFound(absl::StrCat("extension not found: ", wanted.containing_type(), "(",
                                       wanted.extension_number(), ")"),
                          response);
        }
        sent.erase(extension->file()->name());
        return Files(index_.FileWithDependencies(extension->file()->name(), sent), response);
      }
      case Request::kAllExtensionNumbersOfType: {
        const auto* type = index_.Message(request.all_extension_numbers_of_type());
        if (type == nullptr) {
          return NotFound(absl::StrCat("type not found: ", request.all_extension_numbers_of_type()),
                          response);
        }
        std::vector<const google::protobuf::FieldDescriptor*> extensions;
        index_.pool().FindAllExtensions(type, &extensions);
        auto* numbers = response.mutable_all_extension_numbers_response();
        numbers->set_base_type_name(type->full_name());
        for (const auto* extension : extensions) {
          numbers->add_extension_number(extension->number());
        }
        return;
      }
      default:
        response.mutable_error_response()->set_error_code(
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
        response.mutable_error_response()->set_error_message("empty reflection request");
    }
  }

  const ReflectionIndex& index_;
  std::vector<std::string> services_;
};

namespace v1 = ::grpc::reflection::v1;
namespace v1alpha = ::grpc::reflection::v1alpha;
using V1Service = ReflectionService<v1::ServerReflection::Service, v1::ServerReflectionRequest,
                                    v1::ServerReflectionResponse>;
using V1AlphaService =
    ReflectionService<v1alpha::ServerReflection::Service, v1alpha::ServerReflectionRequest,
                      v1alpha::ServerReflectionResponse>;

}  // namespace

Reflection::Reflection() = default;
Reflection::~Reflection() = default;

absl::StatusOr<std::unique_ptr<Reflection>> Reflection::Create(absl::string_view descriptor_set,
                                                               std::vector<std::string> services) {
  auto reflection = std::unique_ptr<Reflection>(new Reflection());
  reflection->index_ = std::make_unique<ReflectionIndex>();
  if (absl::Status loaded = reflection->index_->Load(descriptor_set); !loaded.ok()) {
    return loaded;
  }
  services.push_back("grpc.reflection.v1.ServerReflection");
  services.push_back("grpc.reflection.v1alpha.ServerReflection");
  reflection->v1_ = std::make_unique<V1Service>(*reflection->index_, services);
  reflection->v1alpha_ = std::make_unique<V1AlphaService>(*reflection->index_, services);
  return reflection;
}

grpc::Service* Reflection::v1() { return v1_.get(); }
grpc::Service* Reflection::v1alpha() { return v1alpha_.get(); }

}  // namespace sslpanel::grpc_util
