#include "domain/other_checks.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

DutchOrganization Order() {
  DutchOrganization organization;
  organization.legal_name = "Test BV Donald";
  organization.kvk_number = "68750110";
  organization.house_number = {3, "A"};
  organization.postcode = "8823SJ";
  organization.city = "Lollum";
  organization.country_code = "NL";
  organization.phone = "+31581234567";
  return organization;
}

const std::vector<RegisteredName> kRegistered = {{"Test BV Donald", "statutory name"},
                                                 {"Donald Appels", "trade name"}};

TEST(CheckCsrSubject, ComparesOrganisationLocalityAndCountry) {
  struct Case {
    CsrSubject subject;
    Outcome want;
  };
  for (const Case& c : std::vector<Case>{
           {{"Test BV Donald", "Lollum", "NL", "www.testbvdonald.nl"}, Outcome::kPass},
           {{"TEST B.V. DONALD", "lollum", "nl", ""}, Outcome::kPass},
           {{"Donald Appels", "Lollum", "NL", ""}, Outcome::kPass},  // a registered trade name
           {{"Test BV Donald", "", "", ""}, Outcome::kPass},
           {{"", "", "", "www.testbvdonald.nl"}, Outcome::kWarning},
           {{"Katrien NV", "Lollum", "NL", ""}, Outcome::kFail},
           // L is the place name: like the address check, a remark, not a failure.
           {{"Test BV Donald", "Amsterdam", "NL", ""}, Outcome::kWarning},
           {{"Test BV Donald", "'s-Gravenhage", "NL", ""}, Outcome::kWarning},
           {{"Katrien NV", "Amsterdam", "NL", ""}, Outcome::kFail},
           {{"Test BV Donald", "Lollum", "BE", ""}, Outcome::kFail},
       }) {
    const CheckResult result = CheckCsrSubject(c.subject, Order(), kRegistered, "Lollum");
    EXPECT_EQ(result.outcome, c.want) << c.subject.organization << "/" << c.subject.locality << "/"
                                      << c.subject.country << ": " << result.message;
  }
  EXPECT_EQ(CheckCsrSubject(std::nullopt, Order(), kRegistered, "Lollum").outcome,
            Outcome::kUnknown);
}

TEST(CheckCsrSubject, LocalityMayBeTheOrdersOrTheRegisteredCity) {
  DutchOrganization order = Order();
  order.city = "Franeker";  // the municipality, say; the register says Lollum
  const CsrSubject registered_city{"Test BV Donald", "Lollum", "NL", ""};
  EXPECT_EQ(CheckCsrSubject(registered_city, order, kRegistered, "Lollum").outcome, Outcome::kPass);
  const CheckResult other = CheckCsrSubject(registered_city, order, kRegistered, "");
  EXPECT_EQ(other.outcome, Outcome::kWarning);
  EXPECT_NE(other.message.find("'Lollum'"), std::string::npos) << other.message;
  EXPECT_FALSE(other.remedy.empty());
}

TEST(CheckCsrSubject, AnotherLegalFormInOIsAnotherOrganisation) {
  // The register knows "Test BV Donald" as a B.V.
  const std::vector<RegisteredName> registered = {{"Test BV Donald", "statutory name", "bv"}};
  const CsrSubject other_form{"Test BV Donald N.V.", "Lollum", "NL", ""};
  EXPECT_EQ(CheckCsrSubject(other_form, Order(), registered, "").outcome, Outcome::kFail);
  const CsrSubject same_form{"Test BV Donald B.V.", "Lollum", "NL", ""};
  EXPECT_EQ(CheckCsrSubject(same_form, Order(), registered, "").outcome, Outcome::kPass);
}

TEST(CheckPhoneListed, ListedUnderTheOrganisationPasses) {
  const PhoneLookup lookup{PhoneListing{"+31581234567", "Test BV Donald"}, "directory"};
  EXPECT_EQ(CheckPhoneListed(lookup, true, Order(), kRegistered, ValidationType::kOv).outcome,
            Outcome::kPass);
  const PhoneLookup other{PhoneListing{"+31581234567", "Pizzeria Napoli"}, "directory"};
  EXPECT_EQ(CheckPhoneListed(other, true, Order(), kRegistered, ValidationType::kOv).outcome,
            Outcome::kWarning);
}

TEST(CheckPhoneListed, UnlistedIsARemarkForOvAndNeedsAPersonForEv) {
  const PhoneLookup missing{std::nullopt, "directory"};
  EXPECT_EQ(CheckPhoneListed(missing, true, Order(), kRegistered, ValidationType::kOv).outcome,
            Outcome::kWarning);
  EXPECT_EQ(CheckPhoneListed(missing, true, Order(), kRegistered, ValidationType::kEv).outcome,
            Outcome::kUnknown);
  DutchOrganization no_phone = Order();
  no_phone.phone.reset();
  EXPECT_EQ(
      CheckPhoneListed(std::nullopt, true, no_phone, kRegistered, ValidationType::kOv).outcome,
      Outcome::kWarning);
  EXPECT_EQ(
      CheckPhoneListed(std::nullopt, true, no_phone, kRegistered, ValidationType::kEv).outcome,
      Outcome::kFail);
  EXPECT_EQ(
      CheckPhoneListed(std::nullopt, false, Order(), kRegistered, ValidationType::kOv).outcome,
      Outcome::kUnknown);
}

DomainRegistration Registered(std::optional<std::string> registrant) {
  DomainRegistration registration;
  registration.domain = "testbvdonald.nl";
  registration.exists = true;
  registration.statuses = {"active"};
  registration.registrant_name = std::move(registrant);
  registration.source = "RDAP";
  return registration;
}

TEST(CheckDomainExists, FailsForUnregisteredOrDeletedDomains) {
  EXPECT_EQ(CheckDomainExists(Registered(std::nullopt)).outcome, Outcome::kPass);
  DomainRegistration missing;
  missing.domain = "nope.nl";
  const CheckResult result = CheckDomainExists(missing);
  EXPECT_EQ(result.outcome, Outcome::kFail);
  EXPECT_NE(result.message.find("nope.nl"), std::string::npos);
  DomainRegistration deleting = Registered(std::nullopt);
  deleting.statuses = {"pending delete"};
  EXPECT_EQ(CheckDomainExists(deleting).outcome, Outcome::kFail);
}

TEST(CheckDomainRegistrant, MatchesUnknownOrFails) {
  EXPECT_EQ(CheckDomainRegistrant(Registered("Test B.V. Donald"), Order(), kRegistered).outcome,
            Outcome::kPass);
  const CheckResult trade =
      CheckDomainRegistrant(Registered("Donald Appels"), Order(), kRegistered);
  EXPECT_EQ(trade.outcome, Outcome::kPass);
  EXPECT_NE(trade.evidence.find("matches the trade name 'Donald Appels'"), std::string::npos)
      << trade.evidence;
  EXPECT_EQ(CheckDomainRegistrant(Registered(std::nullopt), Order(), kRegistered).outcome,
            Outcome::kUnknown);
  const CheckResult other = CheckDomainRegistrant(Registered("Katrien NV"), Order(), kRegistered);
  EXPECT_EQ(other.outcome, Outcome::kFail);
  EXPECT_NE(other.message.find("'Katrien NV'"), std::string::npos);
  DomainRegistration missing;
  missing.domain = "nobody.nl";
  const CheckResult not_run = CheckDomainRegistrant(missing, Order(), kRegistered);
  EXPECT_EQ(not_run.outcome, Outcome::kError);
  EXPECT_NE(not_run.message.find("nobody.nl"), std::string::npos) << not_run.message;
}

TEST(CheckDomainRegistrant, NamesTheDomainAndRefusesAnotherLegalForm) {
  const std::vector<RegisteredName> registered = {{"Katrien Beleggingen B.V.", "statutory name"}};
  DutchOrganization order = Order();
  order.legal_name = "Katrien Beleggingen B.V.";
  const CheckResult same =
      CheckDomainRegistrant(Registered("Katrien Beleggingen"), order, registered);
  EXPECT_EQ(same.outcome, Outcome::kPass);
  EXPECT_NE(same.evidence.find("testbvdonald.nl"), std::string::npos) << same.evidence;
  EXPECT_EQ(
      CheckDomainRegistrant(Registered("Katrien Beleggingen N.V."), order, registered).outcome,
      Outcome::kFail);
}

TEST(CheckDomainsNotLookedUp, NeedsAPersonAndNamesTheDomains) {
  const CheckResult result = CheckDomainsNotLookedUp({"a.nl", "b.nl"}, 20);
  EXPECT_EQ(result.code, kDomainExists);
  EXPECT_EQ(result.outcome, Outcome::kUnknown);
  EXPECT_NE(result.message.find("2 more"), std::string::npos) << result.message;
  EXPECT_NE(result.evidence.find("a.nl, b.nl"), std::string::npos) << result.evidence;
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
