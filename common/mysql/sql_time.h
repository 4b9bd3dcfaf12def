// absl::Time <-> the text of a UTC DATETIME(6) column.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::mysql {

// Formats a time as a UTC DATETIME(6) literal: "2026-11-25 15:43:40.123456".
std::string ToSqlTime(absl::Time t);
// Parses a UTC DATETIME(6) value; InfinitePast() when empty.
absl::Time FromSqlTime(absl::string_view text);

}  // namespace sslpanel::mysql
