// DATETIME(6) text <-> absl::Time, formatted and parsed by hand: checked
// against absl's own formatting and parsing over many instants.
#include "absl/random/random.h"
#include "absl/time/time.h"
#include "common/mysql/mysql.h"
#include "gtest/gtest.h"

namespace sslpanel::mysql {
namespace {

TEST(SqlTimeTest, FormatsAndParsesLikeAbslOverManyInstants) {
  absl::BitGen bits;
  for (int i = 0; i < 20000; ++i) {
    // 1970 .. 2200, microsecond resolution (what DATETIME(6) stores).
    const absl::Time t =
        absl::FromUnixMicros(absl::Uniform<int64_t>(bits, 0, 7'258'118'400'000'000));
    const std::string text = ToSqlTime(t);
    ASSERT_EQ(text, absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone()));
    ASSERT_EQ(FromSqlTime(text), t) << text;
  }
}

TEST(SqlTimeTest, ParsesWhatTheServerSends) {
  const absl::Time second =
      absl::FromCivil(absl::CivilSecond(2026, 11, 25, 19, 5, 2), absl::UTCTimeZone());
  EXPECT_EQ(FromSqlTime("2026-11-25 19:05:02"), second);
  EXPECT_EQ(FromSqlTime("2026-11-25 19:05:02.5"), second + absl::Milliseconds(500));
  EXPECT_EQ(FromSqlTime("2026-11-25 19:05:02.000123"), second + absl::Microseconds(123));
  EXPECT_EQ(FromSqlTime(""), absl::InfinitePast());
}

TEST(SqlTimeTest, RefusesWhatIsNotADatetime) {
  for (const char* bad :
       {"2026-02-30 00:00:00", "2026-11-25T19:05:02", "2026-11-25 19:05", "2026-11-25 19:05:02.",
        "2026-11-25 19:05:02x", "yesterday", "2026-13-01 00:00:00", "2026-11-25 24:00:00"}) {
    EXPECT_EQ(FromSqlTime(bad), absl::InfinitePast()) << bad;
  }
}

}  // namespace
}  // namespace sslpanel::mysql
