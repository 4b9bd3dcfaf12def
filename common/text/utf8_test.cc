#include "common/text/utf8.h"

#include "gtest/gtest.h"

namespace sslpanel::text {
namespace {

TEST(TruncateUtf8, NeverSplitsACharacter) {
  const std::string text = "a\xC3\xA9\xE2\x9C\x93";  // "aé✓": 1 + 2 + 3 bytes
  EXPECT_EQ(TruncateUtf8(text, 100), text);
  EXPECT_EQ(TruncateUtf8(text, 6), text);
  EXPECT_EQ(TruncateUtf8(text, 5), "a\xC3\xA9");
  EXPECT_EQ(TruncateUtf8(text, 4), "a\xC3\xA9");
  EXPECT_EQ(TruncateUtf8(text, 3), "a\xC3\xA9");
  EXPECT_EQ(TruncateUtf8(text, 2), "a");
  EXPECT_EQ(TruncateUtf8(text, 1), "a");
  EXPECT_EQ(TruncateUtf8(text, 0), "");
}

}  // namespace
}  // namespace sslpanel::text
