#include "common/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sslpanel::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};
std::mutex g_service_mu;
std::string* g_service = new std::string("sslpanel");

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Quote(absl::string_view text) { return absl::StrCat("\"", JsonEscape(text), "\""); }

}  // namespace

Field::Field(absl::string_view key, absl::string_view value) : key_(key), json_(Quote(value)) {}
Field::Field(absl::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}
Field::Field(absl::string_view key, double value)
    : key_(key), json_(absl::StrFormat("%.6g", value)) {}
Field::Field(absl::string_view key, const absl::Status& status)
    : key_(key), json_(Quote(status.ToString())) {}
Field::Field(absl::string_view key, absl::Duration value)
    : key_(key), json_(Quote(absl::FormatDuration(value))) {}
Field::Field(absl::string_view key, absl::Time value)
    : key_(key), json_(Quote(absl::FormatTime(absl::RFC3339_full, value, absl::UTCTimeZone()))) {}

std::string JsonEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

void Configure(absl::string_view service, Level min_level) {
  std::lock_guard<std::mutex> lock(g_service_mu);
  *g_service = std::string(service);
  g_min_level.store(static_cast<int>(min_level));
}

bool ParseLevel(absl::string_view text, Level* level) {
  for (Level candidate : {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (text == LevelName(candidate)) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) {
    return;
  }
  std::string service;
  {
    std::lock_guard<std::mutex> lock(g_service_mu);
    service = *g_service;
  }
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\",\"service\":", Quote(service),
      ",\"msg\":", Quote(message));
  for (const Field& field : fields) {
    absl::StrAppend(&line, ",", Quote(field.key()), ":", field.json());
  }
  line += "}\n";
  // One write(2) per line keeps lines whole when threads log concurrently.
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t written = ::write(STDERR_FILENO, data, left);
    if (written <= 0) {
      return;
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
}

}  // namespace sslpanel::log
