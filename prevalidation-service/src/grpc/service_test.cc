// End to end through the gRPC API: the real service in-process on
// 127.0.0.1:0, its real HTTP clients talking to the fake KvK API and RDAP
// service on port 0, seeded from testdata/. Each test is a scenario a
// customer or operator meets; service_registers_test.cc has the ones about
// how the registers' answers are read.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "grpc/service_test_stack.h"

namespace sslpanel::prevalidation::grpc {
namespace {

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

  // RDAP behind a wrong base path: not "every domain unregistered".
  Stack rdap_misconfigured({fake_->kvk_base_url(), fake_->rdap_base_url() + "/rdap"}, clock_);
  status = rdap_misconfigured.Prevalidate(DonaldRequest(), &report);
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
