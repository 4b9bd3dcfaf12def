#include "clients/rdap_json.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::clients {
namespace {

std::string Read(const std::string& relative) {
  std::ifstream in(std::string(SSLPANEL_PREVALIDATION_TESTDATA) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseRdapDomain, ReadsAPublishedRegistrant) {
  absl::StatusOr<domain::DomainRegistration> registration =
      ParseRdapDomain(Read("rdap/domains/testbvdonald.nl.json"), "testbvdonald.nl");
  ASSERT_TRUE(registration.ok()) << registration.status();
  EXPECT_TRUE(registration->exists);
  EXPECT_EQ(registration->statuses, std::vector<std::string>{"active"});
  EXPECT_EQ(registration->registered_at, "2017-05-19T10:12:00Z");
  EXPECT_EQ(registration->registrant_name, "Test BV Donald");
}

TEST(ParseRdapDomain, UnpublishedRegistrantIsNotTheRegistrar) {
  absl::StatusOr<domain::DomainRegistration> registration =
      ParseRdapDomain(Read("rdap/domains/testemzdagobert.nl.json"), "testemzdagobert.nl");
  ASSERT_TRUE(registration.ok());
  EXPECT_TRUE(registration->exists);
  EXPECT_FALSE(registration->registrant_name.has_value());
}

TEST(ParseRdapDomain, PrefersOrgOverFnAndIgnoresRedactedValues) {
  auto with_vcard = [](const std::string& properties) {
    return R"({"objectClassName": "domain", "ldhName": "x.nl", "entities": [
      {"objectClassName": "entity", "roles": ["technical"], "entities": [
        {"objectClassName": "entity", "roles": ["registrant"],
         "vcardArray": ["vcard", [["version", {}, "text", "4.0"], )" +
           properties + R"(]]}]}]})";
  };
  EXPECT_EQ(ParseRdapDomain(with_vcard(R"(["fn", {}, "text", "J. Jansen"],
                                          ["org", {}, "text", "Jansen B.V."])"),
                            "x.nl")
                ->registrant_name,
            "Jansen B.V.");
  EXPECT_EQ(ParseRdapDomain(with_vcard(R"(["fn", {}, "text", "J. Jansen"],
                                          ["org", {}, "text", ["Jansen B.V.", "Sales"]])"),
                            "x.nl")
                ->registrant_name,
            "Jansen B.V., Sales");
  EXPECT_EQ(
      ParseRdapDomain(with_vcard(R"(["fn", {}, "text", "J. Jansen"])"), "x.nl")->registrant_name,
      "J. Jansen");
  EXPECT_FALSE(ParseRdapDomain(with_vcard(R"(["fn", {}, "text", "REDACTED FOR PRIVACY"])"), "x.nl")
                   ->registrant_name.has_value());
  EXPECT_FALSE(ParseRdapDomain(with_vcard(R"(["fn", {}, "text", ""])"), "x.nl")
                   ->registrant_name.has_value());
}

TEST(ParseRdapDomain, RefusesOtherObjects) {
  EXPECT_FALSE(ParseRdapDomain(R"({"objectClassName": "entity"})", "x.nl").ok());
  EXPECT_FALSE(ParseRdapDomain("<html></html>", "x.nl").ok());
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
