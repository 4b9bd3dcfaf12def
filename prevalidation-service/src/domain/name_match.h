// Organisation-name matching as a person at a CA would do it: case,
// punctuation, diacritics and the legal form ("B.V.", "Stichting", ...) do
// not make two names different; anything else does. When nothing matches,
// the closest registered name is reported so the customer knows what to type.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::domain {

// A name broken down for comparison.
struct NormalizedName {
  // Folded words without the legal form, e.g. "test donald" for
  // "Test B.V. Donald".
  std::string key;
  // The legal forms the name states, canonical ("bv", "nv", "stichting", ...).
  std::vector<std::string> legal_forms;
};

NormalizedName NormalizeName(absl::string_view name);

// One name from a register, with what kind of name it is there.
struct RegisteredName {
  std::string name;
  // For messages: "registered name", "statutory name", "trade name", ...
  std::string kind;
};

struct NameMatch {
  bool matched = false;
  // The registered name that matched, or the closest one when none did.
  RegisteredName best;
  // 0..1 similarity of the normalised names (1 when matched).
  double similarity = 0.0;
  // Set when the names match but state different legal forms ("B.V." in the
  // order, "N.V." in the register): a different kind of entity.
  bool legal_form_differs = false;
};

// Compares `name` with every candidate. An empty candidate list gives an
// unmatched result with an empty `best`.
NameMatch MatchName(absl::string_view name, const std::vector<RegisteredName>& candidates);

}  // namespace sslpanel::prevalidation::domain
