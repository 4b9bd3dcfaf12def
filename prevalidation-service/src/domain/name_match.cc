#include "domain/name_match.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "domain/text.h"

namespace sslpanel::prevalidation::domain {
namespace {

enum class Place {
  // At the start or the end of a name: "Stichting X", "X B.V.".
  kEitherEnd,
  // Only at the end: foreign forms ("X Ltd").
  kEnd,
  // A qualifier that only ever trails a name and names no form by itself:
  // "U.A.", "i.o." (in oprichting), "met beperkte aansprakelijkheid".
  kQualifier,
};

// A run of words that states a legal form, and its canonical name.
struct LegalForm {
  std::vector<absl::string_view> words;
  absl::string_view canonical;
  Place place;
};

const std::vector<LegalForm>& LegalForms() {
  static const auto* forms = new std::vector<LegalForm>{
      {{"vennootschap", "onder", "firma"}, "vof", Place::kEitherEnd},
      {{"besloten", "vennootschap"}, "bv", Place::kEitherEnd},
      {{"naamloze", "vennootschap"}, "nv", Place::kEitherEnd},
      {{"commanditaire", "vennootschap"}, "cv", Place::kEitherEnd},
      {{"cooperatieve", "vereniging"}, "cooperatie", Place::kEitherEnd},
      {{"onderlinge", "waarborgmaatschappij"}, "owm", Place::kEitherEnd},
      {{"bv"}, "bv", Place::kEitherEnd},
      {{"nv"}, "nv", Place::kEitherEnd},
      {{"vof"}, "vof", Place::kEitherEnd},
      {{"cv"}, "cv", Place::kEitherEnd},
      {{"owm"}, "owm", Place::kEitherEnd},
      {{"stichting"}, "stichting", Place::kEitherEnd},
      {{"vereniging"}, "vereniging", Place::kEitherEnd},
      {{"cooperatie"}, "cooperatie", Place::kEitherEnd},
      {{"maatschap"}, "maatschap", Place::kEitherEnd},
      {{"eenmanszaak"}, "eenmanszaak", Place::kEitherEnd},
      {{"ltd"}, "ltd", Place::kEnd},
      {{"limited"}, "ltd", Place::kEnd},
      {{"gmbh"}, "gmbh", Place::kEnd},
      {{"inc"}, "inc", Place::kEnd},
      {{"llc"}, "llc", Place::kEnd},
      {{"plc"}, "plc", Place::kEnd},
      {{"met", "beperkte", "aansprakelijkheid"}, "", Place::kQualifier},
      {{"met", "uitgesloten", "aansprakelijkheid"}, "", Place::kQualifier},
      {{"in", "oprichting"}, "", Place::kQualifier},
      {{"io"}, "", Place::kQualifier},
      {{"ua"}, "", Place::kQualifier},
      {{"wa"}, "", Place::kQualifier},
      {{"ba"}, "", Place::kQualifier},
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

bool WordsAt(const std::vector<std::string>& words, size_t at, const LegalForm& form) {
  return at + form.words.size() <= words.size() &&
         std::equal(form.words.begin(), form.words.end(), words.begin() + at);
}

// The longest form with a place in `places` that ends exactly at `end`
// (words [begin, end) only), or null.
const LegalForm* FormEndingAt(const std::vector<std::string>& words, size_t begin, size_t end,
                              std::initializer_list<Place> places) {
  const LegalForm* found = nullptr;
  for (const LegalForm& form : LegalForms()) {
    if (std::find(places.begin(), places.end(), form.place) == places.end() ||
        form.words.size() > end - begin) {
      continue;
    }
    if (WordsAt(words, end - form.words.size(), form) &&
        (found == nullptr || form.words.size() > found->words.size())) {
      found = &form;
    }
  }
  return found;
}

// The longest form with a place in `places` that starts at `begin` and ends
// before `end`, or null.
const LegalForm* FormStartingAt(const std::vector<std::string>& words, size_t begin, size_t end,
                                std::initializer_list<Place> places) {
  const LegalForm* found = nullptr;
  for (const LegalForm& form : LegalForms()) {
    if (std::find(places.begin(), places.end(), form.place) == places.end() ||
        form.words.size() > end - begin) {
      continue;
    }
    if (WordsAt(words, begin, form) &&
        (found == nullptr || form.words.size() > found->words.size())) {
      found = &form;
    }
  }
  return found;
}

std::string Compact(absl::string_view key) { return absl::StrReplaceAll(key, {{" ", ""}}); }

// One way to read a name: its words as compared, and the legal form that
// reading takes it to state.
struct Reading {
  std::string compact;
  std::string form;
};

// A name can be read with its legal form set apart (key) or as it stands
// (full); the second lets "CV Maker" match the B.V. called "CV Maker".
std::vector<Reading> Readings(const NormalizedName& name) {
  std::vector<Reading> readings = {{Compact(name.key), name.legal_form}};
  if (name.key != name.full) {
    readings.push_back({Compact(name.full), ""});
  }
  return readings;
}

}  // namespace

NormalizedName NormalizeName(absl::string_view name) {
  const std::vector<std::string> words = Words(name);
  size_t begin = 0;
  size_t end = words.size();
  // Trailing qualifiers first ("Nieuw B.V. i.o.", "Coöperatie Zuivel U.A."),
  // then one legal form: at the end if there is one, else at the start.
  while (end > begin) {
    const LegalForm* qualifier = FormEndingAt(words, begin, end, {Place::kQualifier});
    if (qualifier == nullptr || qualifier->words.size() == end - begin) {
      break;
    }
    end -= qualifier->words.size();
  }
  std::string canonical;
  if (const LegalForm* trailing = FormEndingAt(words, begin, end, {Place::kEitherEnd, Place::kEnd});
      trailing != nullptr && trailing->words.size() < end - begin) {
    canonical = std::string(trailing->canonical);
    end -= trailing->words.size();
  } else if (const LegalForm* leading = FormStartingAt(words, begin, end, {Place::kEitherEnd});
             leading != nullptr && leading->words.size() < end - begin) {
    canonical = std::string(leading->canonical);
    begin += leading->words.size();
  } else if (trailing != nullptr) {
    // Nothing but a legal form ("Stichting"): it keeps its words.
    canonical = std::string(trailing->canonical);
  }
  NormalizedName result;
  result.full = absl::StrJoin(words, " ");
  result.key = absl::StrJoin(words.begin() + static_cast<std::ptrdiff_t>(begin),
                             words.begin() + static_cast<std::ptrdiff_t>(end), " ");
  if (result.key.empty()) {
    result.key = result.full;
  }
  result.legal_form = std::move(canonical);
  return result;
}

std::string CanonicalLegalForm(absl::string_view rechtsvorm) {
  const std::vector<std::string> words = Words(rechtsvorm);
  const LegalForm* form = FormStartingAt(words, 0, words.size(), {Place::kEitherEnd, Place::kEnd});
  return form == nullptr ? "" : std::string(form->canonical);
}

std::string LegalFormLabel(absl::string_view canonical) {
  static const auto* labels = new std::vector<std::pair<absl::string_view, absl::string_view>>{
      {"bv", "B.V."}, {"nv", "N.V."},    {"vof", "V.O.F."},
      {"cv", "C.V."}, {"owm", "O.W.M."}, {"cooperatie", "coöperatie"},
      {"ltd", "Ltd"}, {"gmbh", "GmbH"},  {"inc", "Inc."},
      {"llc", "LLC"}, {"plc", "PLC"},
  };
  for (const auto& [form, label] : *labels) {
    if (form == canonical) {
      return std::string(label);
    }
  }
  return std::string(canonical);
}

NameMatch MatchName(absl::string_view name, const std::vector<RegisteredName>& candidates) {
  const std::vector<Reading> wanted = Readings(NormalizeName(name));
  NameMatch best;
  best.similarity = -1.0;
  for (const RegisteredName& candidate : candidates) {
    const std::vector<Reading> registered = Readings(NormalizeName(candidate.name));
    std::optional<NameMatch> differing;
    double similarity = 0.0;
    for (const Reading& ours : wanted) {
      for (const Reading& theirs : registered) {
        similarity = std::max(similarity, Similarity(ours.compact, theirs.compact));
        if (ours.compact.empty() || ours.compact != theirs.compact) {
          continue;
        }
        NameMatch match;
        match.matched = true;
        match.best = candidate;
        match.similarity = 1.0;
        match.stated_form = ours.form;
        match.registered_form = theirs.form;
        // A stated form must be one the register gives: the name's own or
        // the organisation's rechtsvorm.
        match.legal_form_differs = !ours.form.empty() &&
                                   (!theirs.form.empty() || !candidate.legal_form.empty()) &&
                                   ours.form != theirs.form && ours.form != candidate.legal_form;
        if (!match.legal_form_differs) {
          return match;
        }
        if (!differing.has_value()) {
          differing = match;
        }
      }
    }
    // Keep looking: another registered name may match with the same form.
    if (differing.has_value()) {
      if (!best.matched) {
        best = *differing;
      }
      continue;
    }
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
