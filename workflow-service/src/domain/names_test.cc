#include "workflow-service/src/domain/names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::domain {
namespace {

using ::testing::HasSubstr;

struct NameCase {
  const char* name;
  bool wildcard_allowed;
  const char* problem;  // nullptr when valid
};

TEST(ValidateHostName, Table) {
  const std::string long_label(64, 'a');
  const std::string label63(63, 'a');
  const std::string long_name = label63 + "." + label63 + "." + label63 + "." + label63 + ".nl";
  const NameCase cases[] = {
      {"www.example.nl", false, nullptr},
      {"xn--bcher-kva.example", false, nullptr},
      {"a-b.example.com", false, nullptr},
      {"*.example.nl", true, nullptr},
      {"*.example.nl", false, "does not allow"},
      {"www.*.example.nl", true, "not the leftmost"},
      {"w*w.example.nl", true, "not a whole label"},
      {"*.nl", true, "top-level"},
      {"bücher.example", false, "punycode"},
      {"under_score.example.nl", false, "'_'"},
      {"-lead.example.nl", false, "starting or ending"},
      {"ab--cd.example.nl", false, "reserved"},
      {"localhost", false, "two labels"},
      {"a..b.nl", false, "empty label"},
      {"192.168.1.1", false, "IP address"},
      {"", false, "required"},
  };
  for (const NameCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::Status status = ValidateHostName("common_name", c.name, c.wildcard_allowed);
    if (c.problem == nullptr) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(status.message(), HasSubstr("common_name"));
      EXPECT_THAT(status.message(), HasSubstr(c.problem));
    }
  }
  EXPECT_THAT(ValidateHostName("n", long_label + ".nl", false).message(), HasSubstr("63"));
  EXPECT_THAT(ValidateHostName("n", long_name, false).message(), HasSubstr("253"));
}

TEST(NormalizeHostName, LowerCasesAndDropsTrailingDot) {
  EXPECT_EQ(NormalizeHostName(" WWW.Example.NL. "), "www.example.nl");
}

TEST(IsUnderNl, CaseTrailingDotSubdomainsWildcardPunycode) {
  EXPECT_TRUE(IsUnderNl("example.nl"));
  EXPECT_TRUE(IsUnderNl("WWW.EXAMPLE.NL."));
  EXPECT_TRUE(IsUnderNl("a.b.c.example.nl"));
  EXPECT_TRUE(IsUnderNl("*.example.nl"));
  EXPECT_TRUE(IsUnderNl("xn--bcher-kva.nl"));
  EXPECT_FALSE(IsUnderNl("example.nl.com"));
  EXPECT_FALSE(IsUnderNl("examplenl"));
  EXPECT_FALSE(IsUnderNl("nl"));
}

TEST(NameMatches, WildcardCoversExactlyOneLabel) {
  EXPECT_TRUE(NameMatches("*.example.nl", "www.example.nl"));
  EXPECT_FALSE(NameMatches("*.example.nl", "a.www.example.nl"));
  EXPECT_FALSE(NameMatches("*.example.nl", "example.nl"));
  EXPECT_TRUE(NameMatches("example.nl", "example.nl"));
}

}  // namespace
}  // namespace sslpanel::workflow::domain
