#include "common/log/log.h"

#include "gtest/gtest.h"

namespace sslpanel::log {
namespace {

TEST(JsonEscape, EscapesQuotesControlCharactersAndKeepsUtf8) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\te\x01"), "a\\\"b\\\\c\\nd\\te\\u0001");
  EXPECT_EQ(JsonEscape("café ✓"), "café ✓");
}

TEST(Field, EncodesValuesAsJson) {
  EXPECT_EQ(Field("k", "v").json(), "\"v\"");
  EXPECT_EQ(Field("k", 42).json(), "42");
  EXPECT_EQ(Field("k", true).json(), "true");
  EXPECT_EQ(Field("k", absl::NotFoundError("x")).json(), "\"NOT_FOUND: x\"");
  EXPECT_EQ(Field("k", absl::Seconds(3)).json(), "\"3s\"");
}

TEST(ParseLevel, KnowsTheFourLevels) {
  Level level;
  ASSERT_TRUE(ParseLevel("warning", &level));
  EXPECT_EQ(level, Level::kWarning);
  EXPECT_FALSE(ParseLevel("loud", &level));
}

}  // namespace
}  // namespace sslpanel::log
