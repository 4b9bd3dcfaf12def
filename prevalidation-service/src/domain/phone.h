// Telephone numbers in the one form directories are keyed by: E.164
// ("+31201234567"), from however a customer wrote it ("020-123 45 67",
// "+31 (0)20 1234567", "0031 20 1234567").
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::domain {

// E.164 form, or nullopt if the text is not a telephone number. A number
// starting with a single 0 is read as Dutch (country code 31).
std::optional<std::string> NormalizePhone(absl::string_view text);

}  // namespace sslpanel::prevalidation::domain
