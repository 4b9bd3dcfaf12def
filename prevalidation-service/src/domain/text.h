// Text folding shared by name, city and host-name matching: UTF-8 decoding,
// lower-casing and removal of diacritics, so "Café Ñandú" and "cafe nandu"
// compare equal. Pure standard library and absl.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::domain {

// Decodes UTF-8 into code points; an invalid byte decodes as U+FFFD.
std::vector<uint32_t> DecodeUtf8(absl::string_view text);

// Encodes one code point as UTF-8 and appends it to `out`.
void AppendUtf8(uint32_t code_point, std::string* out);

// Lower-cases ASCII and the Latin-1 / Latin Extended-A letters (the ones Dutch,
// German, French and the other Western European languages use); other code
// points are returned unchanged.
uint32_t ToLowerLatin(uint32_t code_point);

// Lower-cases and folds Latin letters with diacritics to ASCII ("É" -> "e",
// "ß" -> "ss", "ĳ" -> "ij"), drops combining marks, turns typographic
// apostrophes into "'", dashes into "-" and every kind of space into " ".
// Code points outside the Latin ranges are kept as they are.
std::string FoldToAscii(absl::string_view text);

// Edit distance (insertions, deletions, substitutions) between two strings,
// counted in bytes.
int EditDistance(absl::string_view a, absl::string_view b);

// 1.0 for equal strings, falling towards 0.0 as the edit distance approaches
// the longer length.
double Similarity(absl::string_view a, absl::string_view b);

}  // namespace sslpanel::prevalidation::domain
