#include "domain/address.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(NormalizePostcode, AcceptsAnySpacingAndCase) {
  for (const char* text : {"8823 SJ", "8823SJ", "8823sj", " 8823  sJ ", "8823\tSJ"}) {
    EXPECT_EQ(NormalizePostcode(text), "8823SJ") << text;
  }
}

TEST(NormalizePostcode, RefusesWhatIsNotADutchPostcode) {
  for (const char* text :
       {"", "0823 SJ", "8823", "8823 S", "8823 S1", "88234 SJ", "SJ 8823", "B-1000", "8823-SJ"}) {
    EXPECT_FALSE(NormalizePostcode(text).has_value()) << text;
  }
  EXPECT_EQ(FormatPostcode("8823SJ"), "8823 SJ");
}

TEST(ParseHouseNumber, SplitsNumberAndAddition) {
  struct Case {
    const char* number;
    const char* addition;
    int want_number;
    const char* want_addition;
  };
  for (const Case& c : std::vector<Case>{
           {"3", "", 3, ""},
           {"3", "A", 3, "A"},
           {"3A", "", 3, "A"},
           {"3-a", "", 3, "A"},
           {" 3 a ", "", 3, "A"},
           {"17", "m", 17, "M"},
           {"12", "bis", 12, "BIS"},
           {"12", "A-1", 12, "A1"},
           {"12 hs", "", 12, "HS"},
       }) {
    std::optional<HouseNumber> parsed = ParseHouseNumber(c.number, c.addition);
    ASSERT_TRUE(parsed.has_value()) << c.number;
    EXPECT_EQ(parsed->number, c.want_number) << c.number;
    EXPECT_EQ(parsed->addition, c.want_addition) << c.number;
  }
  for (const char* bad : {"", "A3", "-", "0", "1234567"}) {
    EXPECT_FALSE(ParseHouseNumber(bad, "").has_value()) << bad;
  }
}

TEST(NormalizeCity, UnifiesSpellings) {
  EXPECT_EQ(NormalizeCity("Lollum"), NormalizeCity(" LOLLUM "));
  EXPECT_EQ(NormalizeCity("'s-Gravenhage"), NormalizeCity("Den Haag"));
  EXPECT_EQ(NormalizeCity("’s-Hertogenbosch"), NormalizeCity("den bosch"));
  EXPECT_EQ(NormalizeCity("Nuenen"), NormalizeCity("Nüenen"));
  EXPECT_NE(NormalizeCity("Lollum"), NormalizeCity("Lochem"));
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
