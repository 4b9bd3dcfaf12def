// End to end through the gRPC API: the real service in-process on
// 127.0.0.1:0, its real HTTP clients talking to the fake KvK API and RDAP
// service on port 0, seeded from testdata/. Each test is a scenario a
// customer or operator meets.
#include "grpc/service.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "app/caching_registries.h"
#include "clients/kvk_client.h"
#include "clients/phone_directory_file.h"
#include "clients/rdap_client.h"
#include "common/grpc/server.h"
#include "fake/fake_registries.h"
#include "gtest/gtest.h"

namespace sslpanel::prevalidation::grpc {
namespace {

namespace v1 = ::sslpanel::prevalidation::v1;

std::string Testdata(const std::string& relative) {
  return std::string(SSLPANEL_PREVALIDATION_TESTDATA) + "/" + relative;
}

std::string Read(const std::string& relative) {
  std::ifstream in(Testdata(relative));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct StackOptions {
  std::string kvk_base_url;
  std::string rdap_base_url;
  absl::Duration source_timeout = absl::Seconds(5);
};

// The service as main() wires it, with a clock the test controls.
class Stack {
 public:
  Stack(const StackOptions& options, const Clock& clock)
      : kvk_({options.kvk_base_url, "test-key", options.source_timeout}, http::NewCurlClient({})),
        rdap_({options.rdap_base_url, options.source_timeout}, http::NewCurlClient({})),
        cached_kvk_(kvk_, clock, absl::Minutes(5)),
        cached_rdap_(rdap_, clock, absl::Minutes(5)),
        phones_(*clients::FilePhoneDirectory::Load(Testdata("phone_directory.json"))),
        prevalidator_(cached_kvk_, cached_rdap_, phones_.get(), clock),
        service_(prevalidator_, clock) {
    grpc_util::ServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.shutdown_grace = absl::Seconds(1);
    auto host = grpc_util::ServerHost::Start(
        config, {{&service_, "sslpanel.prevalidation.v1.PrevalidationService"}});
    EXPECT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    stub_ = v1::PrevalidationService::NewStub(::grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", host_->port()), ::grpc::InsecureChannelCredentials()));
  }

  ::grpc::Status Prevalidate(const v1::PrevalidateRequest& request, v1::PrevalidationReport* out) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::PrevalidateResponse response;
    ::grpc::Status status = stub_->Prevalidate(&context, request, &response);
    *out = response.report();
    return status;
  }

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
v1::PrevalidateRequest DonaldRequest() {
  v1::PrevalidateRequest request;
  request.set_validation_type(v1::VALIDATION_TYPE_OV);
  request.set_common_name("www.testbvdonald.nl");
  request.add_additional_names("testbvdonald.nl");
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test BV Donald");
  organization->set_kvk_number("68750110");
  organization->set_street("Hizzaarderlaan");
  organization->set_house_number("3");
  organization->set_house_number_addition("a");
  organization->set_postcode("8823 sj");
  organization->set_city("Lollum");
  organization->set_country_code("NL");
  organization->set_phone("+31 58 123 4567");
  request.set_csr(Read("csr/testbvdonald.csr.pem"));
  return request;
}

const v1::CheckResult& Check(const v1::PrevalidationReport& report, const std::string& code) {
  for (const v1::CheckResult& check : report.checks()) {
    if (check.code() == code) {
      return check;
    }
  }
  static const v1::CheckResult* missing = new v1::CheckResult();
  ADD_FAILURE() << "no check " << code << " in " << report.DebugString();
  return *missing;
}

// Codes of the checks whose outcome is not PASS.
std::set<std::string> NotPassing(const v1::PrevalidationReport& report) {
  std::set<std::string> codes;
  for (const v1::CheckResult& check : report.checks()) {
    if (check.outcome() != v1::CHECK_OUTCOME_PASS) {
      codes.insert(check.code());
    }
  }
  return codes;
}

class PrevalidationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake::FakeRegistriesOptions options;
    options.testdata_dir = SSLPANEL_PREVALIDATION_TESTDATA;
    options.kvk_api_key = "test-key";
    auto started = fake::FakeRegistries::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    fake_ = *std::move(started);
    stack_ = std::make_unique<Stack>(StackOptions{fake_->kvk_base_url(), fake_->rdap_base_url()},
                                     clock_);
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 30, 0), absl::UTCTimeZone())};
  std::unique_ptr<fake::FakeRegistries> fake_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(PrevalidationServiceTest, RegisteredCompanyWithItsOwnDataPassesEveryCheck) {
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(DonaldRequest(), &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_PASS) << report.DebugString();
  std::vector<std::string> codes;
  for (const v1::CheckResult& check : report.checks()) {
    codes.push_back(check.code());
    EXPECT_EQ(check.outcome(), v1::CHECK_OUTCOME_PASS) << check.DebugString();
    EXPECT_FALSE(check.message().empty());
    EXPECT_FALSE(check.source().empty());
  }
  EXPECT_EQ(codes, (std::vector<std::string>{
                       "KVK_NUMBER_FORMAT", "KVK_COMPANY_FOUND", "KVK_COMPANY_ACTIVE",
                       "KVK_NAME_MATCH", "KVK_ADDRESS_MATCH", "CSR_SUBJECT_MATCH", "PHONE_LISTED",
                       "DOMAIN_EXISTS", "DOMAIN_REGISTRANT_MATCH"}));
  EXPECT_NE(
      Check(report, "KVK_ADDRESS_MATCH").evidence().find("Hizzaarderlaan 3 A, 8823 SJ Lollum"),
      std::string::npos);
  EXPECT_TRUE(absl::StartsWith(Check(report, "KVK_COMPANY_FOUND").source(), "KvK API (127.0.0.1:"));
  EXPECT_EQ(report.checked_at().seconds(), absl::ToUnixSeconds(clock_.Now()));
}

TEST_F(PrevalidationServiceTest, UnknownKvkNumberFails) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.mutable_organization()->set_kvk_number("12345678");
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL);
  const v1::CheckResult& found = Check(report, "KVK_COMPANY_FOUND");
  EXPECT_EQ(found.outcome(), v1::CHECK_OUTCOME_FAIL);
  EXPECT_NE(found.message().find("12345678"), std::string::npos);
  EXPECT_FALSE(found.remedy().empty());
  EXPECT_EQ(Check(report, "KVK_NAME_MATCH").outcome(), v1::CHECK_OUTCOME_ERROR);
}

TEST_F(PrevalidationServiceTest, DeregisteredCompanyFails) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.set_common_name("www.testbvgoofy.nl");
  request.clear_additional_names();
  request.clear_csr();
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test BV Goofy");
  organization->set_kvk_number("96354429");
  organization->set_street("Kerkstraat");
  organization->set_house_number("1");
  organization->set_house_number_addition("");
  organization->set_postcode("8011 AB");
  organization->set_city("Zwolle");
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL);
  const v1::CheckResult& active = Check(report, "KVK_COMPANY_ACTIVE");
  EXPECT_EQ(active.outcome(), v1::CHECK_OUTCOME_FAIL);
  EXPECT_NE(active.message().find("2023-06-30"), std::string::npos) << active.message();
}

TEST_F(PrevalidationServiceTest, WrongNameFailsNamingTheRegisteredName) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.mutable_organization()->set_legal_name("Donald Duck Appels B.V.");
  request.clear_csr();
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL);
  const v1::CheckResult& name = Check(report, "KVK_NAME_MATCH");
  EXPECT_EQ(name.outcome(), v1::CHECK_OUTCOME_FAIL);
  EXPECT_NE(name.message().find("'Test BV Donald'"), std::string::npos) << name.message();
  EXPECT_NE(name.remedy().find("'Test BV Donald'"), std::string::npos) << name.remedy();
  EXPECT_NE(name.evidence().find("'Donald Duck Appels B.V.'"), std::string::npos);
}

TEST_F(PrevalidationServiceTest, ShieldedAddressNeedsReview) {
  v1::PrevalidateRequest request;
  request.set_validation_type(v1::VALIDATION_TYPE_OV);
  request.set_common_name("www.grandcontex.nl");
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Grand Contex B.V.");
  organization->set_kvk_number("90001354");
  organization->set_house_number("10");
  organization->set_postcode("3011AA");
  organization->set_city("Rotterdam");
  organization->set_country_code("NL");
  organization->set_phone("010-5550100");
  request.set_csr(Read("csr/grandcontex.csr.pem"));
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_NEEDS_REVIEW) << report.DebugString();
  EXPECT_EQ(NotPassing(report), std::set<std::string>{"KVK_ADDRESS_MATCH"});
  EXPECT_EQ(Check(report, "KVK_ADDRESS_MATCH").outcome(), v1::CHECK_OUTCOME_UNKNOWN);
}

TEST_F(PrevalidationServiceTest, UnpublishedRegistrantNeedsReview) {
  v1::PrevalidateRequest request;
  request.set_validation_type(v1::VALIDATION_TYPE_OV);
  request.set_common_name("www.testemzdagobert.nl");
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test EMZ Dagobert");
  organization->set_kvk_number("69599084");
  organization->set_house_number("17M");
  organization->set_postcode("1034WL");
  organization->set_city("Amsterdam");
  organization->set_country_code("NL");
  organization->set_phone("020 765 4321");
  request.set_csr(Read("csr/cn-only.csr.pem"));
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_NEEDS_REVIEW) << report.DebugString();
  EXPECT_EQ(Check(report, "DOMAIN_REGISTRANT_MATCH").outcome(), v1::CHECK_OUTCOME_UNKNOWN);
  // A CSR without O/L/C is a remark, not a blocker.
  EXPECT_EQ(NotPassing(report),
            (std::set<std::string>{"DOMAIN_REGISTRANT_MATCH", "CSR_SUBJECT_MATCH"}));
  EXPECT_EQ(Check(report, "CSR_SUBJECT_MATCH").outcome(), v1::CHECK_OUTCOME_WARNING);
}

TEST_F(PrevalidationServiceTest, UnregisteredDomainAndForeignCsrFail) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.set_common_name("www.not-registered.nl");
  request.set_csr(Read("csr/other-organisation.csr.pem"));
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL);
  EXPECT_EQ(Check(report, "DOMAIN_EXISTS").outcome(), v1::CHECK_OUTCOME_FAIL);
  EXPECT_EQ(Check(report, "DOMAIN_REGISTRANT_MATCH").outcome(), v1::CHECK_OUTCOME_ERROR);
  EXPECT_EQ(Check(report, "CSR_SUBJECT_MATCH").outcome(), v1::CHECK_OUTCOME_FAIL);
}

TEST_F(PrevalidationServiceTest, RegistrantOfAnotherOrganisationFails) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.set_common_name("otherholder.nl");
  request.clear_additional_names();
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL);
  const v1::CheckResult& registrant = Check(report, "DOMAIN_REGISTRANT_MATCH");
  EXPECT_EQ(registrant.outcome(), v1::CHECK_OUTCOME_FAIL);
  EXPECT_NE(registrant.message().find("Katrien Beleggingen"), std::string::npos);
}

TEST_F(PrevalidationServiceTest, SourceDownIsUnavailableNeverAFail) {
  v1::PrevalidationReport report;
  // The KvK API answers 500 for this number.
  v1::PrevalidateRequest server_error = DonaldRequest();
  server_error.mutable_organization()->set_kvk_number("90004973");
  ::grpc::Status status = stack_->Prevalidate(server_error, &report);
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_NE(status.error_message().find("KvK"), std::string::npos);
  EXPECT_EQ(report.checks_size(), 0);

  // The RDAP service does not answer at all.
  Stack rdap_down({fake_->kvk_base_url(), "http://127.0.0.1:1"}, clock_);
  status = rdap_down.Prevalidate(DonaldRequest(), &report);
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::UNAVAILABLE) << status.error_message();

  // The KvK API answers too late.
  Stack slow({fake_->kvk_base_url(), fake_->rdap_base_url(), absl::Milliseconds(300)}, clock_);
  v1::PrevalidateRequest late = DonaldRequest();
  late.mutable_organization()->set_kvk_number("90009999");
  status = slow.Prevalidate(late, &report);
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(PrevalidationServiceTest, MalformedKvkNumberIsInvalidArgumentNamingTheField) {
  for (const char* number : {"1234567", "123456789", "6875011O", ""}) {
    v1::PrevalidateRequest request = DonaldRequest();
    request.mutable_organization()->set_kvk_number(number);
    v1::PrevalidationReport report;
    ::grpc::Status status = stack_->Prevalidate(request, &report);
    EXPECT_EQ(status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << number;
    EXPECT_TRUE(absl::StartsWith(status.error_message(), "organization.kvk_number:"))
        << status.error_message();
  }
  EXPECT_EQ(fake_->kvk_requests(), 0);
}

TEST_F(PrevalidationServiceTest, OtherBadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(v1::PrevalidateRequest&)> spoil;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& r) { r.set_validation_type(v1::VALIDATION_TYPE_UNSPECIFIED); },
            "validation_type"},
           {[](auto& r) { r.set_common_name("www.test bv donald.nl"); }, "common_name"},
           {[](auto& r) { r.set_csr("not a csr"); }, "csr"},
           {[](auto& r) { r.mutable_organization()->set_postcode("88230"); },
            "organization.postcode"},
           {[](auto& r) { r.clear_organization(); }, "organization"},
       }) {
    v1::PrevalidateRequest request = DonaldRequest();
    c.spoil(request);
    v1::PrevalidationReport report;
    ::grpc::Status status = stack_->Prevalidate(request, &report);
    EXPECT_EQ(status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_TRUE(absl::StartsWith(status.error_message(), std::string(c.field) + ":"))
        << status.error_message();
  }
}

TEST_F(PrevalidationServiceTest, NotApplicableWithoutAskingAnySource) {
  struct Case {
    std::function<void(v1::PrevalidateRequest&)> change;
    const char* reason_mentions;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& r) { r.set_validation_type(v1::VALIDATION_TYPE_DV); }, "DV"},
           {[](auto& r) {
              r.set_common_name("www.example.com");
              r.clear_additional_names();
            },
            "not under .nl"},
           {[](auto& r) { r.mutable_organization()->set_country_code("BE"); }, "BE"},
       }) {
    v1::PrevalidateRequest request = DonaldRequest();
    c.change(request);
    v1::PrevalidationReport report;
    ASSERT_TRUE(stack_->Prevalidate(request, &report).ok()) << c.reason_mentions;
    EXPECT_EQ(report.overall(), v1::OVERALL_NOT_APPLICABLE);
    EXPECT_EQ(report.checks_size(), 0);
    EXPECT_NE(report.not_applicable_reason().find(c.reason_mentions), std::string::npos)
        << report.not_applicable_reason();
  }
  EXPECT_EQ(fake_->kvk_requests(), 0);
  EXPECT_EQ(fake_->rdap_requests(), 0);
}

TEST_F(PrevalidationServiceTest, CacheSparesTheRegistriesWithinTheTtl) {
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(DonaldRequest(), &report).ok());
  const int kvk_after_first = fake_->kvk_requests();
  const int rdap_after_first = fake_->rdap_requests();
  EXPECT_EQ(kvk_after_first, 2);  // Zoeken + Basisprofiel
  EXPECT_EQ(rdap_after_first, 1);

  clock_.Advance(absl::Minutes(4));
  ASSERT_TRUE(stack_->Prevalidate(DonaldRequest(), &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_PASS);
  EXPECT_EQ(fake_->kvk_requests(), kvk_after_first);
  EXPECT_EQ(fake_->rdap_requests(), rdap_after_first);

  clock_.Advance(absl::Minutes(2));  // past the 5 minute TTL
  ASSERT_TRUE(stack_->Prevalidate(DonaldRequest(), &report).ok());
  EXPECT_EQ(fake_->kvk_requests(), kvk_after_first + 2);
  EXPECT_EQ(fake_->rdap_requests(), rdap_after_first + 1);
}

}  // namespace
}  // namespace sslpanel::prevalidation::grpc
