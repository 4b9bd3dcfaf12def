// Every service binary starts, reports SERVING on grpc.health.v1, and exposes
// its API through server reflection to a client we did not write (buf curl,
// which speaks the same reflection protocol as grpcurl).
#include "common/testing/test_database.h"
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
  std::vector<std::string> env = {};
};

void ExpectServingAndReflected(const ServiceCase& c) {
  auto service = RunningService::Start(c.name, c.binary, c.args, c.service, c.env);
  ASSERT_TRUE(service.ok()) << service.status();
  CommandResult listed =
      RunCommand({Binaries::Buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                  "--list-services", "http://" + (*service)->target()});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr(c.service));
  EXPECT_THAT(listed.output, HasSubstr("grpc.health.v1.Health"));
  EXPECT_THAT(listed.output, HasSubstr("grpc.reflection.v1alpha.ServerReflection"));
  // Health answers through reflection alone, as grpcurl users call it.
  CommandResult health =
      RunCommand({Binaries::Buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d",
                  "{\"service\": \"" + c.service + "\"}",
                  "http://" + (*service)->target() + "/grpc.health.v1.Health/Check"});
  ASSERT_EQ(health.exit_code, 0) << health.output;
  EXPECT_THAT(health.output, HasSubstr("SERVING"));
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
  auto db = testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  DbArgs args = DbArgsFor((*db)->config());
  args.flags.push_back("--auto_migrate");
  args.flags.push_back("--ca_dir=" + testing::MakeTempDir("sslpanel-sandbox-ca-"));
  ExpectServingAndReflected({"ca-sandbox", Binaries::CaSandbox(), args.flags,
                             "sslpanel.ca.v1.CaAdapterService", args.env});
}

TEST(Services, AcmeCaAdapterServesHealthAndReflection) {
  // It serves without reaching its CA: the account is set up on first use.
  auto db = testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  DbArgs args = DbArgsFor((*db)->config());
  args.flags.push_back("--auto_migrate");
  ExpectServingAndReflected(
      {"ca-acme", Binaries::CaAcme(), args.flags, "sslpanel.ca.v1.CaAdapterService", args.env});
}

TEST(Services, WorkflowServesHealthAndReflection) {
  auto db = testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(Migrate(Binaries::Workflow(), (*db)->config()).ok());
  DbArgs args = DbArgsFor((*db)->config());
  args.flags.push_back("--products_file=" + Binaries::ProductsFile());
  ExpectServingAndReflected({"workflow", Binaries::Workflow(), args.flags,
                             "sslpanel.workflow.v1.WorkflowService", args.env});
}

TEST(Services, WorkflowRefusesToStartOnAnUnmigratedDatabase) {
  auto db = testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  DbArgs args = DbArgsFor((*db)->config());
  std::vector<std::string> argv = {Binaries::Workflow(),
                                   "--products_file=" + Binaries::ProductsFile()};
  argv.insert(argv.end(), args.flags.begin(), args.flags.end());
  CommandResult result = RunCommand(argv, args.env);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("missing migration 0001_orders"));
  EXPECT_THAT(result.output, HasSubstr("migrate"));
}

}  // namespace
}  // namespace sslpanel::integration
