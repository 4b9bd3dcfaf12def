#include "domain/phone.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace sslpanel::prevalidation::domain {

std::optional<std::string> NormalizePhone(absl::string_view text) {
  // "+31 (0)20 ..." carries a trunk prefix that is not dialled internationally.
  std::string compact = absl::StrReplaceAll(text, {{"(0)", ""}});
  std::string digits;
  bool plus = false;
  for (char c : compact) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
      return std::nullopt;
    }
  }
  if (!plus) {
    if (absl::StartsWith(digits, "00")) {
      digits = digits.substr(2);
    } else if (absl::StartsWith(digits, "0")) {
      digits = absl::StrCat("31", digits.substr(1));
    } else {
      return std::nullopt;
    }
  }
  // E.164: a country code that does not start with 0, at most 15 digits.
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
    return std::nullopt;
  }
  return absl::StrCat("+", digits);
}

}  // namespace sslpanel::prevalidation::domain
