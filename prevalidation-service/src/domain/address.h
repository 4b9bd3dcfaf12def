// Dutch address parts as customers type them and as the KvK register holds
// them: postcode "1234 AB" in any spacing or case, house number with an
// optional addition ("3", "3A", "3-a", "3 bis"), and city names that compare
// equal regardless of case, diacritics and the well-known double names.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::domain {

// "1234AB" for any spelling of a valid Dutch postcode ("1234 ab", " 1234AB"),
// or nullopt. Dutch postcodes never start with 0.
std::optional<std::string> NormalizePostcode(absl::string_view text);

// "1234 AB": how a postcode is shown to people.
std::string FormatPostcode(absl::string_view normalized);

struct HouseNumber {
  int number = 0;
  // Letter and addition together, upper case, without separators: "A",
  // "A1", "BIS"; empty if none.
  std::string addition;
};

// Parses the order's house number and addition fields. The number field may
// carry the addition too ("3A", "3-a"). nullopt when no number leads.
std::optional<HouseNumber> ParseHouseNumber(absl::string_view number, absl::string_view addition);

// Upper case without spaces, dashes or slashes: how additions compare.
std::string NormalizeAddition(absl::string_view addition);

// A comparable form of a city name: folded, without punctuation, with
// "'s-Gravenhage"/"Den Haag" and "'s-Hertogenbosch"/"Den Bosch" unified.
std::string NormalizeCity(absl::string_view city);

}  // namespace sslpanel::prevalidation::domain
