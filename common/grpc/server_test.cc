#include "common/grpc/server.h"

#include <grpcpp/grpcpp.h>

#include <fstream>

#include "common/grpc/status.h"
#include "common/testing/health.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::grpc_util {
namespace {

namespace cav1 = ::sslpanel::ca::v1;

// A service to host (the graceful stop is tested in drain_test.cc).
class FixedService final : public cav1::CaAdapterService::Service {
 public:
  grpc::Status GetCapabilities(grpc::ServerContext*, const cav1::GetCapabilitiesRequest*,
                               cav1::GetCapabilitiesResponse* response) override {
    response->set_adapter("slow");
    return grpc::Status::OK;
  }
};

ServerConfig TestConfig() {
  ServerConfig config;
  config.listen_address = "127.0.0.1:0";
  config.shutdown_grace = absl::Seconds(5);
  return config;
}

TEST(ServerHost, BindsPortZeroAndReportsServingPerService) {
  FixedService service;
  auto host = ServerHost::Start(TestConfig(), {{&service, "sslpanel.ca.v1.CaAdapterService"}});
  ASSERT_TRUE(host.ok()) << host.status();
  ASSERT_GT((*host)->port(), 0);
  const std::string target = "127.0.0.1:" + std::to_string((*host)->port());
  EXPECT_TRUE(testing::WaitForServing(target, "", absl::Seconds(5)).ok());
  EXPECT_TRUE(
      testing::WaitForServing(target, "sslpanel.ca.v1.CaAdapterService", absl::Seconds(5)).ok());
}

TEST(ServerHost, WritesThePortFile) {
  FixedService service;
  ServerConfig config = TestConfig();
  config.port_file = ::testing::TempDir() + "/port_file_test";
  auto host = ServerHost::Start(config, {{&service, "x"}});
  ASSERT_TRUE(host.ok());
  std::ifstream in(config.port_file);
  int port = 0;
  in >> port;
  EXPECT_EQ(port, (*host)->port());
}

TEST(ServerHost, ReflectionServesTheApiWithItsComments) {
  FixedService service;
  auto host = ServerHost::Start(TestConfig(), {{&service, "sslpanel.ca.v1.CaAdapterService"}});
  ASSERT_TRUE(host.ok());
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*host)->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("*");
  ASSERT_TRUE(stream->Write(request));
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& listed : response.list_services_response().service()) {
    names.push_back(listed.name());
  }
  EXPECT_THAT(names,
              ::testing::IsSupersetOf({"sslpanel.ca.v1.CaAdapterService", "grpc.health.v1.Health",
                                       "grpc.reflection.v1alpha.ServerReflection"}));
  request.set_file_containing_symbol("sslpanel.ca.v1.SubmitOrderRequest");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_GE(response.file_descriptor_response().file_descriptor_proto_size(), 2)
      << "the file and its imports";
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(response.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "sslpanel/ca/v1/ca.proto");
  bool documented = false;
  for (const auto& location : file.source_code_info().location()) {
    documented =
        documented || location.leading_comments().find("Caller-chosen key") != std::string::npos;
  }
  EXPECT_TRUE(documented) << "grpcurl describe must show the field comments";
  request.set_file_containing_symbol("no.such.Symbol");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.error_response().error_code(), 5);  // NOT_FOUND
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(ServerHost, RefusesAnAddressWithoutPort) {
  ServerConfig config = TestConfig();
  config.listen_address = "127.0.0.1";
  auto host = ServerHost::Start(config, {});
  EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StatusConversion, HidesInternalDetailsAndKeepsOtherMessages) {
  grpc::Status internal = ToGrpc(absl::InternalError("SELECT secret FROM x"), "Test");
  EXPECT_EQ(internal.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(internal.error_message().find("secret"), std::string::npos);
  grpc::Status invalid = ToGrpc(absl::InvalidArgumentError("csr: not PEM"));
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(invalid.error_message(), "csr: not PEM");
  EXPECT_EQ(FromGrpc(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")).code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sslpanel::grpc_util
