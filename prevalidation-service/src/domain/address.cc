#include "domain/address.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/text.h"

namespace sslpanel::prevalidation::domain {

std::optional<std::string> NormalizePostcode(absl::string_view text) {
  std::string compact;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) {
      compact.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    }
  }
  if (compact.size() != 6 || compact[0] < '1' || compact[0] > '9') {
    return std::nullopt;
  }
  for (int i = 1; i < 4; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(compact[i]))) {
      return std::nullopt;
    }
  }
  for (int i = 4; i < 6; ++i) {
    if (compact[i] < 'A' || compact[i] > 'Z') {
      return std::nullopt;
    }
  }
  return compact;
}

std::string FormatPostcode(absl::string_view normalized) {
  if (normalized.size() != 6) {
    return std::string(normalized);
  }
  return absl::StrCat(normalized.substr(0, 4), " ", normalized.substr(4));
}

std::string NormalizeAddition(absl::string_view addition) {
  std::string out;
  for (char c : FoldToAscii(addition)) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::optional<HouseNumber> ParseHouseNumber(absl::string_view number, absl::string_view addition) {
  number = absl::StripAsciiWhitespace(number);
  size_t digits = 0;
  while (digits < number.size() &&
         absl::ascii_isdigit(static_cast<unsigned char>(number[digits]))) {
    ++digits;
  }
  HouseNumber result;
  if (digits == 0 || digits > 6 || !absl::SimpleAtoi(number.substr(0, digits), &result.number) ||
      result.number <= 0) {
    return std::nullopt;
  }
  result.addition = NormalizeAddition(absl::StrCat(number.substr(digits), addition));
  return result;
}

std::string NormalizeCity(absl::string_view city) {
  std::string compact;
  for (char c : FoldToAscii(city)) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
        static_cast<unsigned char>(c) >= 0x80) {
      compact.push_back(c);
    }
  }
  // The official names of two cities are not the ones people use.
  if (compact == "sgravenhage") {
    return "denhaag";
  }
  if (compact == "shertogenbosch") {
    return "denbosch";
  }
  return compact;
}

}  // namespace sslpanel::prevalidation::domain
