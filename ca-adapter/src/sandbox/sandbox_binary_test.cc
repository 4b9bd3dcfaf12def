// The ca-adapter-sandbox binary as operators run it: the migrate command,
// refusing to serve an old schema, serving with reflection and health, and
// a clean exit on SIGTERM.
#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/testing/health.h"
#include "common/testing/subprocess.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::ca::sandbox {
namespace {

using ::testing::HasSubstr;

class SandboxBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = sslpanel::testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    dir_ = sslpanel::testing::MakeTempDir("sandbox-binary-");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<sslpanel::testing::Subprocess> Run(std::vector<std::string> args,
                                                     const std::string& log) {
    const mysql::MysqlConfig& db = database_->config();
    std::vector<std::string> argv = {SSLPANEL_CA_SANDBOX_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const std::string& flag :
         {absl::StrCat("--db_host=", db.host), absl::StrCat("--db_port=", db.port),
          absl::StrCat("--db_name=", db.database), absl::StrCat("--db_user=", db.user),
          absl::StrCat("--ca_dir=", dir_, "/ca")}) {
      argv.push_back(flag);
    }
    auto process = sslpanel::testing::Subprocess::Start(
        argv, dir_ + "/" + log, {absl::StrCat("SSLPANEL_DB_PASSWORD=", db.password)});
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? *std::move(process) : nullptr;
  }

  std::unique_ptr<sslpanel::testing::TestDatabase> database_;
  std::string dir_;
};

TEST_F(SandboxBinaryTest, RefusesAnOldSchemaMigratesThenServesAndStopsCleanly) {
  auto refused = Run({"--listen=127.0.0.1:0"}, "refused.log");
  auto refused_code = refused->Wait(absl::Seconds(30));
  ASSERT_TRUE(refused_code.ok());
  EXPECT_EQ(*refused_code, 1);
  EXPECT_THAT(refused->Log(), HasSubstr("missing migration 0001_idempotency"));

  auto migrate = Run({"migrate"}, "migrate.log");
  auto migrate_code = migrate->Wait(absl::Seconds(30));
  ASSERT_TRUE(migrate_code.ok());
  EXPECT_EQ(*migrate_code, 0) << migrate->Log();

  const std::string port_file = dir_ + "/port";
  auto server = Run({"--listen=127.0.0.1:0", "--port_file=" + port_file}, "serve.log");
  auto port = sslpanel::testing::WaitForPortFile(port_file, *server);
  ASSERT_TRUE(port.ok()) << port.status();
  const std::string target = absl::StrCat("127.0.0.1:", *port);
  ASSERT_TRUE(sslpanel::testing::WaitForServing(target, "sslpanel.ca.v1.CaAdapterService").ok());
  auto stub = v1::CaAdapterService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::GetCapabilitiesResponse capabilities;
  ASSERT_TRUE(stub->GetCapabilities(&context, {}, &capabilities).ok());
  EXPECT_EQ(capabilities.adapter(), "sandbox");
  stub.reset();  // an open client connection would hold up the graceful shutdown
  auto code = server->Terminate();
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << server->Log();
}

TEST_F(SandboxBinaryTest, UnknownCommandAndBadFlagsExitWithTwo) {
  auto unknown = Run({"frobnicate"}, "unknown.log");
  EXPECT_EQ(*unknown->Wait(absl::Seconds(30)), 2);
  auto bad = Run({"--issue_delay=-1s", "--auto_migrate", "--listen=127.0.0.1:0"}, "bad.log");
  EXPECT_EQ(*bad->Wait(absl::Seconds(30)), 2);
  EXPECT_THAT(bad->Log(), HasSubstr("--issue_delay"));
}

}  // namespace
}  // namespace sslpanel::ca::sandbox
