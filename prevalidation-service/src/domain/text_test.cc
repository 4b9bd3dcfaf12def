#include "domain/text.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(FoldToAscii, FoldsDiacriticsAndCase) {
  struct Case {
    const char* in;
    const char* want;
  };
  for (const Case& c : std::vector<Case>{
           {"Café Ñandú", "cafe nandu"},
           {"Ĳsselmeer", "ijsselmeer"},
           {"Straße", "strasse"},
           {"Œuvre Ærø", "oeuvre aero"},
           {"Łódź Škoda", "lodz skoda"},
           {"e\xCC\x81", "e"},                        // decomposed é
           {"’s-Hertogenbosch", "'s-hertogenbosch"},  // typographic apostrophe
           {"a\xC2\xA0"
            "b",
            "a b"},        // no-break space
           {"\xFF", " "},  // invalid UTF-8
       }) {
    EXPECT_EQ(FoldToAscii(c.in), c.want) << c.in;
  }
}

TEST(FoldToAscii, KeepsOtherScripts) {
  EXPECT_EQ(FoldToAscii("Ab \xE4\xB8\xAD"), "ab \xE4\xB8\xAD");
}

TEST(Similarity, RangesFromZeroToOne) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_DOUBLE_EQ(Similarity("abc", "abc"), 1.0);
  EXPECT_DOUBLE_EQ(Similarity("abc", "xyz"), 0.0);
  EXPECT_GT(Similarity("testdonald", "tsetdonald"), 0.7);
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
