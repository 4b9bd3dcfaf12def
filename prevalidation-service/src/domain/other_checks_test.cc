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
           {{"Test BV Donald", "Amsterdam", "NL", ""}, Outcome::kFail},
           {{"Test BV Donald", "Lollum", "BE", ""}, Outcome::kFail},
       }) {
    const CheckResult result = CheckCsrSubject(c.subject, Order(), kRegistered);
    EXPECT_EQ(result.outcome, c.want) << c.subject.organization << "/" << c.subject.locality << "/"
                                      << c.subject.country << ": " << result.message;
  }
  EXPECT_EQ(CheckCsrSubject(std::nullopt, Order(), kRegistered).outcome, Outcome::kUnknown);
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
  EXPECT_EQ(CheckDomainRegistrant(missing, Order(), kRegistered).outcome, Outcome::kError);
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
