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
}

TEST(CheckCompanyFound, UndeterminedNeedsAPersonNotAFail) {
  CompanyLookup lookup{std::nullopt, "KvK"};
  lookup.undetermined = true;
  lookup.detail = "Zoeken lists it, Basisprofiel has no profile (IPD0005)";
  const CheckResult result = CheckCompanyFound(Order(), lookup);
  EXPECT_EQ(result.outcome, Outcome::kUnknown);
  EXPECT_NE(result.message.find("68750110"), std::string::npos);
  EXPECT_NE(result.evidence.find("IPD0005"), std::string::npos) << result.evidence;
  EXPECT_FALSE(result.remedy.empty());
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

// A company as the register would answer for a name and legal form
// (rechtsvorm), with optional trade names.
Company Registered(const char* name, const char* legal_form,
                   std::vector<std::string> trade_names = {}) {
  Company company = Donald();
  company.name = name;
  company.statutory_name = absl::string_view(legal_form) == "Eenmanszaak" ? "" : name;
  company.trade_names = std::move(trade_names);
  company.legal_form = legal_form;
  return company;
}

TEST(CheckNameMatch, TheLegalFormMustBeTheRegisteredOne) {
  struct Case {
    const char* order;
    Company company;
    Outcome want;
  };
  const Company donald = Registered("Test BV Donald", "Besloten vennootschap met gewone structuur",
                                    {"Test BV Donald", "Donald Appels"});
  for (const Case& c : std::vector<Case>{
           // Same entity, written the way people write it.
           {"Test BV Donald", donald, Outcome::kPass},
           {"TEST B.V. DONALD", donald, Outcome::kPass},
           {"test-bv donald", donald, Outcome::kPass},
           {"Test BV Donald B.V.", donald, Outcome::kPass},
           {"Test BV Donald Besloten Vennootschap", donald, Outcome::kPass},
           {"Donald Appels", donald, Outcome::kPass},
           {"Dönald Äppels B.V.", donald, Outcome::kPass},
           {"Jan Jansen", Registered("Jan Jansen", "Eenmanszaak"), Outcome::kPass},
           {"Vereniging Eigen Huis", Registered("Vereniging Eigen Huis", "Vereniging"),
            Outcome::kPass},
           {"Eigen Huis", Registered("Vereniging Eigen Huis", "Vereniging"), Outcome::kPass},
           {"Stichting Bolderbast", Registered("Bolderbast", "Stichting"), Outcome::kPass},
           {"CV Maker", Registered("CV Maker B.V.", "Besloten Vennootschap"), Outcome::kPass},
           {"Café De Zwaan B.V.", Registered("Cafe de Zwaan BV", "Besloten Vennootschap"),
            Outcome::kPass},
           {"Coöperatie Zuivel U.A.", Registered("Cooperatie Zuivel UA", "Coöperatie"),
            Outcome::kPass},
           // The order states a legal form the register contradicts: another entity.
           {"Jan Jansen B.V.", Registered("Jan Jansen", "Eenmanszaak"), Outcome::kFail},
           {"Eigen Huis B.V.", Registered("Vereniging Eigen Huis", "Vereniging"), Outcome::kFail},
           {"Test BV Donald N.V.", donald, Outcome::kFail},
           {"Katrien B.V.", Registered("Katrien N.V.", ""), Outcome::kFail},
           // Names that match only once a legal-form word inside them is dropped.
           {"Holding", Registered("BA Holding B.V.", "Besloten Vennootschap"), Outcome::kFail},
           {"Maker B.V.", Registered("CV Maker B.V.", "Besloten Vennootschap"), Outcome::kFail},
           {"Test Donald", donald, Outcome::kFail},
           {"Test Donald B.V.", donald, Outcome::kFail},
       }) {
    const CheckResult result = CheckNameMatch(Order(c.order), c.company);
    EXPECT_EQ(result.outcome, c.want) << c.order << " vs " << c.company.name << " ("
                                      << c.company.legal_form << "): " << result.message;
    EXPECT_FALSE(result.message.empty()) << c.order;
    if (result.outcome == Outcome::kFail) {
      EXPECT_FALSE(result.remedy.empty()) << c.order;
    }
  }
}

TEST(CheckNameMatch, AContradictedLegalFormSaysWhatIsRegistered) {
  const CheckResult result =
      CheckNameMatch(Order("Jan Jansen B.V."), Registered("Jan Jansen", "Eenmanszaak"));
  ASSERT_EQ(result.outcome, Outcome::kFail);
  EXPECT_NE(result.message.find("Eenmanszaak"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("'Jan Jansen'"), std::string::npos) << result.message;
  EXPECT_NE(result.evidence.find("Eenmanszaak"), std::string::npos) << result.evidence;
  EXPECT_NE(result.remedy.find("'Jan Jansen'"), std::string::npos) << result.remedy;
  EXPECT_NE(result.remedy.find("KvK number"), std::string::npos) << result.remedy;
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
           // 3 and 3 A are different addresses.
           {"missing addition", [](auto& o) { o.house_number.addition = ""; }, Outcome::kFail},
           {"addition as a number", [](auto& o) { o.house_number.addition = "1"; }, Outcome::kFail},
           // Postcode and number identify the street: the place name is a remark.
           {"other city", [](auto& o) { o.city = "Franeker"; }, Outcome::kWarning},
           {"other city, missing addition",
            [](auto& o) {
              o.city = "Franeker";
              o.house_number.addition = "";
            },
            Outcome::kFail},
       }) {
    DutchOrganization order = Order();
    c.change(order);
    const CheckResult result = CheckAddressMatch(order, Donald());
    EXPECT_EQ(result.outcome, c.want) << c.name << ": " << result.message;
    EXPECT_NE(result.evidence.find("Hizzaarderlaan 3 A, 8823 SJ Lollum"), std::string::npos)
        << result.evidence;
  }
}

TEST(CheckAddressMatch, AdditionTheRegisterDoesNotShowNeedsAPerson) {
  Company company = Donald();
  company.addresses[1].house_number_addition = "";
  const CheckResult result = CheckAddressMatch(Order(), company);
  EXPECT_EQ(result.outcome, Outcome::kUnknown) << result.message;
  EXPECT_NE(result.message.find("A"), std::string::npos) << result.message;
  EXPECT_FALSE(result.remedy.empty());
  // Without an addition on either side it is the registered address.
  DutchOrganization plain = Order();
  plain.house_number.addition = "";
  EXPECT_EQ(CheckAddressMatch(plain, company).outcome, Outcome::kPass);
}

TEST(CheckAddressMatch, HouseLetterIsPartOfTheAddress) {
  Company company = Donald();
  company.addresses[1].house_number = 17;
  company.addresses[1].house_letter = "M";
  company.addresses[1].house_number_addition = "";
  DutchOrganization order = Order();
  order.house_number = {17, "M"};
  EXPECT_EQ(CheckAddressMatch(order, company).outcome, Outcome::kPass);
  order.house_number = {17, ""};
  const CheckResult missing = CheckAddressMatch(order, company);
  EXPECT_EQ(missing.outcome, Outcome::kFail);
  EXPECT_NE(missing.message.find("M"), std::string::npos) << missing.message;
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
