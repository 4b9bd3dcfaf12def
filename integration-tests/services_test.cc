// Every service binary starts, reports SERVING on grpc.health.v1, and exposes
// its API through server reflection to a client we did not write (buf curl,
// which speaks the same reflection protocol as grpcurl).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/harness.h"

namespace sslpanel::integration {
namespace {

using ::testing::HasSubstr;

struct ServiceCase {
  std::string name;
  std::string binary;
  std::vector<std::string> args;
  std::string service;
};

void ExpectServingAndReflected(const ServiceCase& c) {
  auto service = RunningService::Start(c.name, c.binary, c.args, c.service);
  ASSERT_TRUE(service.ok()) << service.status();
  CommandResult listed =
      RunCommand({Binaries::Buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                  "--list-services", "http://" + (*service)->target()});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr(c.service));
  EXPECT_THAT(listed.output, HasSubstr("grpc.health.v1.Health"));
  EXPECT_THAT(listed.output, HasSubstr("grpc.reflection.v1alpha.ServerReflection"));
  auto code = (*service)->process().Terminate();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << "SIGTERM must be a clean shutdown";
}

TEST(Services, PrevalidationServesHealthAndReflection) {
  ExpectServingAndReflected({"prevalidation",
                             Binaries::Prevalidation(),
                             {},
                             "sslpanel.prevalidation.v1.PrevalidationService"});
}

TEST(Services, SandboxCaAdapterServesHealthAndReflection) {
  ExpectServingAndReflected(
      {"ca-sandbox", Binaries::CaSandbox(), {}, "sslpanel.ca.v1.CaAdapterService"});
}

TEST(Services, WorkflowServesHealthAndReflection) {
  ExpectServingAndReflected(
      {"workflow", Binaries::Workflow(), {}, "sslpanel.workflow.v1.WorkflowService"});
}

}  // namespace
}  // namespace sslpanel::integration
