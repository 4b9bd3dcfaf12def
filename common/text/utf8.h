// Text limits that respect UTF-8: a database column of N bytes must never
// receive half a character (MySQL/MariaDB reject it in strict mode).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace sslpanel::text {

// The longest prefix of `text` of at most `max_bytes` bytes that ends on a
// character boundary. `text` is assumed to be UTF-8 (protobuf strings are).
std::string TruncateUtf8(absl::string_view text, size_t max_bytes);

}  // namespace sslpanel::text
