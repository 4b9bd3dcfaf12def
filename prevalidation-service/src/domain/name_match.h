// Organisation-name matching as a person at a CA would do it: case,
// punctuation and diacritics do not make two names different, and neither
// does a legal form ("B.V.", "Stichting", ...) stated at the start or the end
// of a name. A legal-form word inside a name is part of the name ("BA Holding
// B.V." is not "Holding"), and two names that state different legal forms
// ("Eigen Huis B.V." and "Vereniging Eigen Huis") name different entities.
// When nothing matches, the closest registered name is reported so the
// customer knows what to type.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::domain {

// A name broken down for comparison.
struct NormalizedName {
  // Every folded word, e.g. "test bv donald" for "Test B.V. Donald".
  std::string full;
  // The folded words without a leading or trailing legal form, e.g. "eigen
  // huis" for "Vereniging Eigen Huis" and "nieuw" for "Nieuw B.V. i.o.";
  // `full` when the name states none (or is nothing but a legal form).
  std::string key;
  // The canonical legal form removed for `key` ("bv", "nv", "stichting",
  // ...), or "" when none was. At most one: "CV Maker B.V." is a B.V. named
  // "CV Maker".
  std::string legal_form;
};

NormalizedName NormalizeName(absl::string_view name);

// The canonical legal form (as in NormalizedName::legal_form) of a KvK
// rechtsvorm such as "Besloten Vennootschap met gewone structuur" ("bv") or
// "Eenmanszaak met meer dan één eigenaar" ("eenmanszaak"); "" for a form
// this matcher does not know.
std::string CanonicalLegalForm(absl::string_view rechtsvorm);

// How a canonical legal form reads in a message: "bv" -> "B.V.".
std::string LegalFormLabel(absl::string_view canonical);

// One name from a register, with what kind of name it is there.
struct RegisteredName {
  std::string name;
  // For messages: "registered name", "statutory name", "trade name", ...
  std::string kind;
  // The canonical legal form the register gives the organisation (its
  // rechtsvorm, see CanonicalLegalForm), "" when unknown.
  std::string legal_form{};
};

struct NameMatch {
  bool matched = false;
  // The registered name that matched, or the closest one when none did.
  RegisteredName best;
  // 0..1 similarity of the normalised names (1 when matched).
  double similarity = 0.0;
  // Set when the names match but the legal form the compared name states is
  // neither the one the registered name states nor the register's
  // (RegisteredName::legal_form): "Katrien B.V." against "Katrien N.V.", or
  // "Jan Jansen B.V." against the eenmanszaak "Jan Jansen". Another entity.
  bool legal_form_differs = false;
  // The legal form the compared name states and the matched registered name
  // states ("" when it states none).
  std::string stated_form;
  std::string registered_form;
};

// Compares `name` with every candidate. An empty candidate list gives an
// unmatched result with an empty `best`. A match without a contradicting
// legal form wins over one with.
NameMatch MatchName(absl::string_view name, const std::vector<RegisteredName>& candidates);

}  // namespace sslpanel::prevalidation::domain
