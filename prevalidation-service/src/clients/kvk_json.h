// The KvK API's JSON answers (developers.kvk.nl): Zoeken v2 search results,
// the Basisprofiel v1 profile with its embedded main establishment
// (hoofdvestiging) and owner (eigenaar), and error bodies ("fout").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/registry.h"

namespace sslpanel::prevalidation::clients {

// One entry of Zoeken v2's "resultaten".
struct KvkSearchHit {
  std::string kvk_number;
  std::string name;
  // "rechtspersoon", "hoofdvestiging" or "nevenvestiging".
  std::string type;
  // "actief": false for a deregistered registration (only listed when the
  // search asks for inactive registrations too).
  bool active = true;
};

// One page of Zoeken v2: {"pagina", "resultatenPerPagina", "totaal",
// "resultaten": [...]}.
struct KvkSearchPage {
  std::vector<KvkSearchHit> hits;
  // "totaal": results over all pages; nullopt when the answer omits it.
  std::optional<int> total;
};

// INVALID_ARGUMENT when the body is not that shape.
absl::StatusOr<KvkSearchPage> ParseZoeken(absl::string_view body);

// Basisprofiel v1 into a Company (source left empty). INVALID_ARGUMENT when
// the body is not a profile.
absl::StatusOr<domain::Company> ParseBasisprofiel(absl::string_view body);

// One entry of an error body {"fout": [{"code": "IPD5200", "omschrijving": ...}]}.
struct KvkError {
  std::string code;
  std::string description;
};

// The errors in a body; empty when it holds none (or is not JSON).
std::vector<KvkError> ParseFout(absl::string_view body);

}  // namespace sslpanel::prevalidation::clients
