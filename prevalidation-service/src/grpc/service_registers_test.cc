// End to end through the gRPC API, as service_test.cc: how the service
// reads the registers' answers. A company the KvK search shows badly, a
// legal form or address the register contradicts, every .nl domain of the
// order, and RDAP behind a wrong base path.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/service_test_stack.h"

namespace sslpanel::prevalidation::grpc {
namespace {

TEST_F(PrevalidationServiceTest, ActiveCompanyWhoseFirstSearchPageIsClosedBranchesIsActive) {
  // 90002490 has 14 closed branches that fill Zoeken's first page of 10.
  v1::PrevalidateRequest request = DonaldRequest();
  request.clear_csr();
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test BV Guus Geluk");
  organization->set_kvk_number("90002490");
  organization->set_street("Nieuwestad");
  organization->set_house_number("12");
  organization->set_house_number_addition("");
  organization->set_postcode("8911 CS");
  organization->set_city("Leeuwarden");
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  for (const char* code :
       {"KVK_COMPANY_FOUND", "KVK_COMPANY_ACTIVE", "KVK_NAME_MATCH", "KVK_ADDRESS_MATCH"}) {
    EXPECT_EQ(Check(report, code).outcome(), v1::CHECK_OUTCOME_PASS)
        << Check(report, code).DebugString();
  }
}

TEST_F(PrevalidationServiceTest, CompanyTheSearchDoesNotListIsFoundThroughItsProfile) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.clear_csr();
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test BV Gijs Gans");
  organization->set_kvk_number("90002504");
  organization->set_street("Oudegracht");
  organization->set_house_number("100");
  organization->set_house_number_addition("");
  organization->set_postcode("3511 AV");
  organization->set_city("Utrecht");
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(Check(report, "KVK_COMPANY_FOUND").outcome(), v1::CHECK_OUTCOME_PASS)
      << Check(report, "KVK_COMPANY_FOUND").DebugString();
  EXPECT_EQ(Check(report, "KVK_COMPANY_ACTIVE").outcome(), v1::CHECK_OUTCOME_PASS);
}

TEST_F(PrevalidationServiceTest, RegisterAnswersThatDoNotSettleTheNumberNeedReview) {
  // 90002512: Zoeken lists it, Basisprofiel has no profile (IPD0005).
  // 90002520: Zoeken counts results it does not return, Basisprofiel has none.
  for (const char* number : {"90002512", "90002520"}) {
    v1::PrevalidateRequest request = DonaldRequest();
    request.mutable_organization()->set_kvk_number(number);
    v1::PrevalidationReport report;
    ASSERT_TRUE(stack_->Prevalidate(request, &report).ok()) << number;
    EXPECT_EQ(report.overall(), v1::OVERALL_NEEDS_REVIEW) << number << report.DebugString();
    const v1::CheckResult& found = Check(report, "KVK_COMPANY_FOUND");
    EXPECT_EQ(found.outcome(), v1::CHECK_OUTCOME_UNKNOWN) << number << found.DebugString();
    EXPECT_NE(found.message().find(number), std::string::npos) << found.message();
    EXPECT_FALSE(found.remedy().empty());
  }
}

TEST_F(PrevalidationServiceTest, ALegalFormTheRegisterContradictsFails) {
  // 69599084 is an eenmanszaak (sole proprietorship): no B.V. of that name.
  v1::PrevalidateRequest request;
  request.set_validation_type(v1::VALIDATION_TYPE_OV);
  request.set_common_name("www.testemzdagobert.nl");
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test EMZ Dagobert B.V.");
  organization->set_kvk_number("69599084");
  organization->set_house_number("17M");
  organization->set_postcode("1034WL");
  organization->set_city("Amsterdam");
  organization->set_country_code("NL");
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL) << report.DebugString();
  const v1::CheckResult& name = Check(report, "KVK_NAME_MATCH");
  EXPECT_EQ(name.outcome(), v1::CHECK_OUTCOME_FAIL) << name.DebugString();
  EXPECT_NE(name.message().find("Eenmanszaak"), std::string::npos) << name.message();

  organization->set_legal_name("Test EMZ Dagobert");
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(Check(report, "KVK_NAME_MATCH").outcome(), v1::CHECK_OUTCOME_PASS);
}

TEST_F(PrevalidationServiceTest, AMissingHouseNumberAdditionIsAnotherAddress) {
  v1::PrevalidateRequest request = DonaldRequest();
  request.mutable_organization()->set_house_number_addition("");  // 3 instead of 3 A
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL);
  const v1::CheckResult& address = Check(report, "KVK_ADDRESS_MATCH");
  EXPECT_EQ(address.outcome(), v1::CHECK_OUTCOME_FAIL) << address.DebugString();
  EXPECT_NE(address.remedy().find("Hizzaarderlaan 3 A"), std::string::npos) << address.remedy();
}

TEST_F(PrevalidationServiceTest, EveryNlDomainOfTheOrderIsLookedUp) {
  // An additional name under another holder's domain fails the order.
  v1::PrevalidateRequest request = DonaldRequest();
  request.clear_csr();
  request.add_additional_names("www.other-company.nl");
  v1::PrevalidationReport report;
  ASSERT_TRUE(stack_->Prevalidate(request, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_FAIL) << report.DebugString();
  std::vector<std::string> domain_checks;
  for (const v1::CheckResult& check : report.checks()) {
    if (absl::StartsWith(check.code(), "DOMAIN_")) {
      domain_checks.push_back(absl::StrCat(check.code(), " ", check.outcome()));
      if (check.outcome() == v1::CHECK_OUTCOME_FAIL) {
        EXPECT_EQ(check.code(), "DOMAIN_REGISTRANT_MATCH");
        EXPECT_NE(check.message().find("other-company.nl"), std::string::npos) << check.message();
        EXPECT_NE(check.message().find("Other Company B.V."), std::string::npos);
        EXPECT_NE(check.evidence().find("other-company.nl"), std::string::npos);
      }
    }
  }
  EXPECT_EQ(domain_checks.size(), 4u) << report.DebugString();  // two domains, two checks each
  EXPECT_EQ(fake_->rdap_requests(), 2);

  // The organisation's own second domain passes.
  v1::PrevalidateRequest own = DonaldRequest();
  own.add_additional_names("donaldappels.nl");
  ASSERT_TRUE(stack_->Prevalidate(own, &report).ok());
  EXPECT_EQ(report.overall(), v1::OVERALL_PASS) << report.DebugString();
  EXPECT_EQ(report.checks_size(), 11);
}

}  // namespace
}  // namespace sslpanel::prevalidation::grpc
