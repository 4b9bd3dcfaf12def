// Structured logging: one JSON object per line on stderr, so log shippers in
// Kubernetes can parse every field without regular expressions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One key/value pair of a log line; the value is kept JSON-encoded.
class Field {
 public:
  Field(absl::string_view key, absl::string_view value);
  Field(absl::string_view key, const std::string& value) : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, const char* value) : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, bool value);
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Field(absl::string_view key, T value) : key_(key), json_(std::to_string(value)) {}
  Field(absl::string_view key, double value);
  Field(absl::string_view key, const absl::Status& status);
  Field(absl::string_view key, absl::Duration value);
  Field(absl::string_view key, absl::Time value);

  const std::string& key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  std::string key_;
  std::string json_;
};

// Sets the "service" field of every line and the lowest level written.
void Configure(absl::string_view service, Level min_level);

// Parses "debug", "info", "warning" or "error".
bool ParseLevel(absl::string_view text, Level* level);

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields);

inline void Debug(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kDebug, message, fields);
}
inline void Info(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, message, fields);
}
inline void Warning(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarning, message, fields);
}
inline void Error(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, message, fields);
}

// Escapes text as the inside of a JSON string.
std::string JsonEscape(absl::string_view text);

}  // namespace sslpanel::log
