// The harness of the end-to-end gRPC tests: the service as main() wires it
// (real clients, caches, the file phone directory) on 127.0.0.1:0, its
// clients talking HTTP to the fake registries on port 0, plus the request and
// report helpers the scenarios share.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "app/caching_registries.h"
#include "app/prevalidator.h"
#include "clients/kvk_client.h"
#include "clients/phone_directory_file.h"
#include "clients/rdap_client.h"
#include "common/grpc/server.h"
#include "common/time/clock.h"
#include "fake/fake_registries.h"
#include "grpc/service.h"
#include "gtest/gtest.h"
#include "sslpanel/prevalidation/v1/prevalidation.grpc.pb.h"

namespace sslpanel::prevalidation::grpc {

namespace v1 = ::sslpanel::prevalidation::v1;

// prevalidation-service/testdata/`relative`, and its contents.
std::string Testdata(const std::string& relative);
std::string Read(const std::string& relative);

struct StackOptions {
  std::string kvk_base_url;
  std::string rdap_base_url;
  absl::Duration source_timeout = absl::Seconds(5);
};

// The service as main() wires it, with a clock the test controls.
class Stack {
 public:
  Stack(const StackOptions& options, const Clock& clock);

  ::grpc::Status Prevalidate(const v1::PrevalidateRequest& request, v1::PrevalidationReport* out);

 private:
  clients::KvkApiClient kvk_;
  clients::RdapClient rdap_;
  app::CachingKvkRegistry cached_kvk_;
  app::CachingDomainRegistry cached_rdap_;
  std::unique_ptr<clients::FilePhoneDirectory> phones_;
  app::Prevalidator prevalidator_;
  PrevalidationServiceImpl service_;
  std::unique_ptr<grpc_util::ServerHost> host_;
  std::unique_ptr<v1::PrevalidationService::Stub> stub_;
};

// The KvK test company 68750110 exactly as a customer would enter it.
v1::PrevalidateRequest DonaldRequest();

// The check with `code` (the first, for codes that repeat per domain).
const v1::CheckResult& Check(const v1::PrevalidationReport& report, const std::string& code);

// Codes of the checks whose outcome is not PASS.
std::set<std::string> NotPassing(const v1::PrevalidationReport& report);

// Fake registries seeded from testdata/ and the service in front of them.
class PrevalidationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override;

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 30, 0), absl::UTCTimeZone())};
  std::unique_ptr<fake::FakeRegistries> fake_;
  std::unique_ptr<Stack> stack_;
};

}  // namespace sslpanel::prevalidation::grpc
