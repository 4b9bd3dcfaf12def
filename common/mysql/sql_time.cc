#include "common/mysql/sql_time.h"

#include <cstdint>
#include <string>

namespace sslpanel::mysql {

namespace {

// Reads `n` decimal digits at text[*pos]; false if any is not a digit.
bool Digits(absl::string_view text, size_t* pos, int n, int64_t* value) {
  if (*pos + n > text.size()) {
    return false;
  }
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *value = v;
  return true;
}

bool Expect(absl::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) {
    return false;
  }
  ++*pos;
  return true;
}

void PutDigits(int64_t value, int n, char* out) {
  for (int i = n - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Both run for every DATETIME column read or written, so they format and
// parse by hand (absl::FormatTime/ParseTime went through the time-zone
// machinery and were ~5 % of a GetOrder's CPU). Anything unusual falls back
// to absl.
std::string ToSqlTime(absl::Time t) {
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  if (civil.year() < 1000 || civil.year() > 9999) {
    return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
  }
  const int64_t micros = absl::ToInt64Microseconds(t - absl::FromCivil(civil, absl::UTCTimeZone()));
  std::string out(26, ' ');  // YYYY-MM-DD HH:MM:SS.ffffff
  PutDigits(civil.year(), 4, &out[0]);
  out[4] = '-';
  PutDigits(civil.month(), 2, &out[5]);
  out[7] = '-';
  PutDigits(civil.day(), 2, &out[8]);
  PutDigits(civil.hour(), 2, &out[11]);
  out[13] = ':';
  PutDigits(civil.minute(), 2, &out[14]);
  out[16] = ':';
  PutDigits(civil.second(), 2, &out[17]);
  out[19] = '.';
  PutDigits(micros, 6, &out[20]);
  return out;
}

absl::Time FromSqlTime(absl::string_view text) {
  if (text.empty()) {
    return absl::InfinitePast();
  }
  size_t pos = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, fraction = 0;
  bool ok =
      Digits(text, &pos, 4, &year) && Expect(text, &pos, '-') && Digits(text, &pos, 2, &month) &&
      Expect(text, &pos, '-') && Digits(text, &pos, 2, &day) && Expect(text, &pos, ' ') &&
      Digits(text, &pos, 2, &hour) && Expect(text, &pos, ':') && Digits(text, &pos, 2, &minute) &&
      Expect(text, &pos, ':') && Digits(text, &pos, 2, &second);
  int fraction_digits = 0;
  if (ok && pos < text.size()) {
    ok = Expect(text, &pos, '.');
    while (ok && pos < text.size() && fraction_digits < 9) {
      int64_t digit = 0;
      ok = Digits(text, &pos, 1, &digit);
      fraction = fraction * 10 + digit;
      ++fraction_digits;
    }
    ok = ok && pos == text.size() && fraction_digits > 0;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (ok && civil.year() == year && civil.month() == month && civil.day() == day &&
      civil.hour() == hour && civil.minute() == minute && civil.second() == second) {
    for (int i = fraction_digits; i < 9; ++i) {
      fraction *= 10;
    }
    return absl::FromCivil(civil, absl::UTCTimeZone()) + absl::Nanoseconds(fraction);
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &t, &err)) {
    return t;
  }
  return absl::InfinitePast();
}

}  // namespace sslpanel::mysql
