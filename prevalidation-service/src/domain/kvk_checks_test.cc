#include "domain/kvk_checks.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

Company Donald() {
  Company company;
  company.kvk_number = "68750110";
  company.name = "Test BV Donald";
  company.statutory_name = "Test BV Donald";
  company.trade_names = {"Test BV Donald", "Donald Appels"};
  company.start_date = "20170519";
  company.source = "KvK API (test)";
  CompanyAddress postal;
  postal.type = "correspondentieadres";
  postal.street = "Postbus";
  postal.postcode = "1000AE";
  postal.city = "Rommeldam";
  CompanyAddress visiting;
  visiting.type = "bezoekadres";
  visiting.street = "Hizzaarderlaan";
  visiting.house_number = 3;
  visiting.house_number_addition = "A";
  visiting.postcode = "8823SJ";
  visiting.city = "Lollum";
  company.addresses = {postal, visiting};
  return company;
}

DutchOrganization Order(const char* name = "Test BV Donald") {
  DutchOrganization organization;
  organization.legal_name = name;
  organization.kvk_number = "68750110";
  organization.street = "Hizzaarderlaan";
  organization.house_number = {3, "A"};
  organization.postcode = "8823SJ";
  organization.city = "Lollum";
  organization.country_code = "NL";
  return organization;
}

TEST(CheckCompanyFound, FailsForAnUnknownNumber) {
  const CheckResult found = CheckCompanyFound(Order(), {Donald(), "KvK"});
  EXPECT_EQ(found.outcome, Outcome::kPass);
  EXPECT_NE(found.message.find("Test BV Donald"), std::string::npos);

  const CheckResult missing = CheckCompanyFound(Order(), {std::nullopt, "KvK"});
  EXPECT_EQ(missing.code, kKvkCompanyFound);
  EXPECT_EQ(missing.outcome, Outcome::kFail);
  EXPECT_NE(missing.message.find("68750110"), std::string::npos);
  EXPECT_FALSE(missing.remedy.empty());
}

TEST(CheckCompanyActive, ComparesTheEndDateWithToday) {
  Company company = Donald();
  EXPECT_EQ(CheckCompanyActive(company, "20260101").outcome, Outcome::kPass);
  company.end_date = "20230101";
  const CheckResult ended = CheckCompanyActive(company, "20260101");
  EXPECT_EQ(ended.outcome, Outcome::kFail);
  EXPECT_NE(ended.message.find("2023-01-01"), std::string::npos);
  company.end_date = "20260101";
  EXPECT_EQ(CheckCompanyActive(company, "20260101").outcome, Outcome::kFail);
  company.end_date = "20270101";
  EXPECT_EQ(CheckCompanyActive(company, "20260101").outcome, Outcome::kWarning);
  company.end_date = "";
  company.active_in_search = false;
  EXPECT_EQ(CheckCompanyActive(company, "20260101").outcome, Outcome::kFail);
}

TEST(CheckNameMatch, PassesForRegisteredAndTradeNames) {
  EXPECT_EQ(CheckNameMatch(Order("test b.v. donald"), Donald()).outcome, Outcome::kPass);
  const CheckResult trade = CheckNameMatch(Order("Donald Appels"), Donald());
  EXPECT_EQ(trade.outcome, Outcome::kPass);
  EXPECT_NE(trade.message.find("trade name 'Donald Appels'"), std::string::npos);
}

TEST(CheckNameMatch, FailureNamesTheClosestRegisteredName) {
  const CheckResult result = CheckNameMatch(Order("Tset Donald Holding"), Donald());
  EXPECT_EQ(result.outcome, Outcome::kFail);
  EXPECT_NE(result.message.find("'Test BV Donald'"), std::string::npos) << result.message;
  EXPECT_NE(result.evidence.find("closest: 'Test BV Donald'"), std::string::npos);
  EXPECT_NE(result.remedy.find("'Test BV Donald'"), std::string::npos);
}

TEST(CheckNameMatch, WarnsAboutAnotherLegalForm) {
  EXPECT_EQ(CheckNameMatch(Order("Test N.V. Donald"), Donald()).outcome, Outcome::kWarning);
}

TEST(CheckAddressMatch, ComparesWithTheVisitingAddress) {
  struct Case {
    const char* name;
    std::function<void(DutchOrganization&)> change;
    Outcome want;
  };
  for (const Case& c : std::vector<Case>{
           {"same", [](auto&) {}, Outcome::kPass},
           {"city case", [](auto& o) { o.city = "LOLLUM"; }, Outcome::kPass},
           {"street ignored", [](auto& o) { o.street = "Hizzaarderln"; }, Outcome::kPass},
           {"other postcode", [](auto& o) { o.postcode = "8823SK"; }, Outcome::kFail},
           {"other number", [](auto& o) { o.house_number.number = 5; }, Outcome::kFail},
           {"other addition", [](auto& o) { o.house_number.addition = "B"; }, Outcome::kFail},
           {"missing addition", [](auto& o) { o.house_number.addition = ""; }, Outcome::kWarning},
           {"other city", [](auto& o) { o.city = "Franeker"; }, Outcome::kWarning},
       }) {
    DutchOrganization order = Order();
    c.change(order);
    const CheckResult result = CheckAddressMatch(order, Donald());
    EXPECT_EQ(result.outcome, c.want) << c.name << ": " << result.message;
    EXPECT_NE(result.evidence.find("Hizzaarderlaan 3 A, 8823 SJ Lollum"), std::string::npos)
        << result.evidence;
  }
}

TEST(CheckAddressMatch, AdditionOnlyInTheOrderIsARemark) {
  Company company = Donald();
  company.addresses[1].house_number_addition = "";
  EXPECT_EQ(CheckAddressMatch(Order(), company).outcome, Outcome::kWarning);
}

TEST(CheckAddressMatch, ShieldedAddressNeedsAPerson) {
  Company company = Donald();
  company.addresses[1] = CompanyAddress{};
  company.addresses[1].type = "bezoekadres";
  company.addresses[1].shielded = true;
  const CheckResult result = CheckAddressMatch(Order(), company);
  EXPECT_EQ(result.outcome, Outcome::kUnknown);
  EXPECT_NE(result.message.find("shields"), std::string::npos);

  company.addresses.pop_back();  // no visiting address at all
  EXPECT_EQ(CheckAddressMatch(Order(), company).outcome, Outcome::kUnknown);
}

TEST(RegisteredNames, StatutoryFirstWithoutDuplicates) {
  const std::vector<RegisteredName> names = RegisteredNames(Donald());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].kind, "statutory name");
  EXPECT_EQ(names[1].name, "Donald Appels");
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
