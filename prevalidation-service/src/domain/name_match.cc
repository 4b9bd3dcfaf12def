#include "domain/name_match.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "domain/text.h"

namespace sslpanel::prevalidation::domain {
namespace {

// A run of words that states a legal form, and its canonical name ("" for
// qualifiers such as "u.a." that are dropped without naming a form).
struct LegalForm {
  std::vector<absl::string_view> words;
  absl::string_view canonical;
};

// Longest sequences first, so "cooperatie ua" wins over "cooperatie".
const std::vector<LegalForm>& LegalForms() {
  static const auto* forms = new std::vector<LegalForm>{
      {{"vennootschap", "onder", "firma"}, "vof"},
      {{"met", "beperkte", "aansprakelijkheid"}, ""},
      {{"met", "uitgesloten", "aansprakelijkheid"}, ""},
      {{"onderlinge", "waarborgmaatschappij"}, "owm"},
      {{"besloten", "vennootschap"}, "bv"},
      {{"naamloze", "vennootschap"}, "nv"},
      {{"commanditaire", "vennootschap"}, "cv"},
      {{"cooperatieve", "vereniging"}, "cooperatie"},
      {{"bv", "io"}, "bv"},
      {{"nv", "io"}, "nv"},
      {{"bv"}, "bv"},
      {{"nv"}, "nv"},
      {{"vof"}, "vof"},
      {{"cv"}, "cv"},
      {{"owm"}, "owm"},
      {{"stichting"}, "stichting"},
      {{"vereniging"}, "vereniging"},
      {{"cooperatie"}, "cooperatie"},
      {{"maatschap"}, "maatschap"},
      {{"eenmanszaak"}, "eenmanszaak"},
      {{"ua"}, ""},
      {{"wa"}, ""},
      {{"ba"}, ""},
      {{"ltd"}, "ltd"},
      {{"limited"}, "ltd"},
      {{"gmbh"}, "gmbh"},
      {{"inc"}, "inc"},
      {{"llc"}, "llc"},
      {{"plc"}, "plc"},
  };
  return *forms;
}

// Folds and splits into words: dots vanish ("B.V." -> "bv"), apostrophes
// vanish ("Jan's" -> "jans"), "&" reads as "en", other punctuation separates.
std::vector<std::string> Words(absl::string_view name) {
  std::string folded = FoldToAscii(name);
  std::string cleaned;
  cleaned.reserve(folded.size());
  for (char c : folded) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.' || c == '\'') {
      continue;
    }
    if (c == '&') {
      cleaned += " en ";
    } else if (u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      cleaned.push_back(c);
    } else {
      cleaned.push_back(' ');
    }
  }
  return absl::StrSplit(cleaned, ' ', absl::SkipEmpty());
}

}  // namespace

NormalizedName NormalizeName(absl::string_view name) {
  const std::vector<std::string> words = Words(name);
  std::vector<std::string> kept;
  std::vector<std::string> forms;
  size_t i = 0;
  while (i < words.size()) {
    const LegalForm* found = nullptr;
    for (const LegalForm& form : LegalForms()) {
      if (i + form.words.size() <= words.size() &&
          std::equal(form.words.begin(), form.words.end(), words.begin() + i)) {
        found = &form;
        break;
      }
    }
    if (found == nullptr) {
      kept.push_back(words[i]);
      ++i;
      continue;
    }
    if (!found->canonical.empty()) {
      forms.emplace_back(found->canonical);
    }
    i += found->words.size();
  }
  NormalizedName result;
  // A name that is nothing but a legal form ("Stichting") keeps its words.
  result.key = absl::StrJoin(kept.empty() ? words : kept, " ");
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  result.legal_forms = std::move(forms);
  return result;
}

NameMatch MatchName(absl::string_view name, const std::vector<RegisteredName>& candidates) {
  const NormalizedName wanted = NormalizeName(name);
  // Word boundaries do not matter either: "Open Provider" is "Openprovider".
  const std::string wanted_compact = absl::StrReplaceAll(wanted.key, {{" ", ""}});
  NameMatch best;
  best.similarity = -1.0;
  for (const RegisteredName& candidate : candidates) {
    const NormalizedName registered = NormalizeName(candidate.name);
    const std::string compact = absl::StrReplaceAll(registered.key, {{" ", ""}});
    if (!compact.empty() && compact == wanted_compact) {
      NameMatch match;
      match.matched = true;
      match.best = candidate;
      match.similarity = 1.0;
      match.legal_form_differs = !wanted.legal_forms.empty() && !registered.legal_forms.empty() &&
                                 wanted.legal_forms != registered.legal_forms;
      if (!match.legal_form_differs) {
        return match;
      }
      // Keep looking: another registered name may match with the same form.
      if (!best.matched) {
        best = match;
      }
      continue;
    }
    const double similarity = Similarity(wanted_compact, compact);
    if (!best.matched && similarity > best.similarity) {
      best.best = candidate;
      best.similarity = similarity;
    }
  }
  if (best.similarity < 0) {
    best.similarity = 0;
  }
  return best;
}

}  // namespace sslpanel::prevalidation::domain
