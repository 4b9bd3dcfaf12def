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

// Found by review while fuzzing: the registrant search recursed once per
// level of nesting, so an answer nested deep enough overflowed the stack.
TEST(ParseRdapDomain, DeeplyNestedEntitiesAreSearchedOnlyAsDeepAsRegistriesNest) {
  // The registrant `depth` levels down, under technical contacts.
  auto nested = [](int depth) {
    std::string body = R"({"objectClassName": "domain", "ldhName": "x.nl")";
    for (int i = 1; i < depth; ++i) {
      body += R"(, "entities": [{"roles": ["technical"])";
    }
    body += R"(, "entities": [{"roles": ["registrant"],)"
            R"( "vcardArray": ["vcard", [["org", {}, "text", "Deep BV"]]]}])";
    for (int i = 1; i < depth; ++i) {
      body += "}]";
    }
    return body + "}";
  };
  absl::StatusOr<domain::DomainRegistration> shallow = ParseRdapDomain(nested(3), "x.nl");
  ASSERT_TRUE(shallow.ok()) << shallow.status();
  EXPECT_EQ(shallow->registrant_name, "Deep BV");
  absl::StatusOr<domain::DomainRegistration> deep = ParseRdapDomain(nested(200000), "x.nl");
  ASSERT_TRUE(deep.ok()) << deep.status();
  EXPECT_TRUE(deep->exists);
  EXPECT_FALSE(deep->registrant_name.has_value());
}

TEST(ParseRdapDomain, RefusesOtherObjects) {
  EXPECT_FALSE(ParseRdapDomain(R"({"objectClassName": "entity"})", "x.nl").ok());
  EXPECT_FALSE(ParseRdapDomain("<html></html>", "x.nl").ok());
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
