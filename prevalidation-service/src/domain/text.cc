#include "domain/text.h"

#include <algorithm>

namespace sslpanel::prevalidation::domain {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

// ASCII for U+00C0..U+00FF, lower case; "" marks the two symbols of the block
// (multiplication and division sign), which fold to a space.
constexpr const char* kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// ASCII for U+0100..U+017F (Latin Extended-A), lower case.
constexpr const char* kLatinExtendedA[128] = {
    "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};

bool IsCombiningMark(uint32_t c) { return c >= 0x0300 && c <= 0x036F; }

bool IsApostrophe(uint32_t c) {
  return c == '\'' || c == '`' || c == 0x00B4 || c == 0x2018 || c == 0x2019 || c == 0x02BC;
}

bool IsDash(uint32_t c) { return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212; }

bool IsSpace(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x00A0 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x3000;
}

}  // namespace

std::vector<uint32_t> DecodeUtf8(absl::string_view text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (int k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    // Overlong encodings and surrogates are invalid too.
    if (valid && ((length == 2 && code_point < 0x80) || (length == 3 && code_point < 0x800) ||
                  (length == 4 && (code_point < 0x10000 || code_point > 0x10FFFF)) ||
                  (code_point >= 0xD800 && code_point <= 0xDFFF))) {
      valid = false;
    }
    if (!valid) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(code_point);
    i += length;
  }
  return out;
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

uint32_t ToLowerLatin(uint32_t c) {
  if (c >= 'A' && c <= 'Z') {
    return c + 32;
  }
  if (c >= 0x00C0 && c <= 0x00DE && c != 0x00D7) {
    return c + 32;
  }
  if (c == 0x0178) {  // Ÿ
    return 0x00FF;
  }
  // Latin Extended-A alternates upper/lower case, with the parity flipping
  // at U+0139 and back at U+014A.
  if ((c >= 0x0100 && c <= 0x0137) || (c >= 0x014A && c <= 0x0177)) {
    return (c % 2 == 0) ? c + 1 : c;
  }
  if ((c >= 0x0139 && c <= 0x0148) || (c >= 0x0179 && c <= 0x017E)) {
    return (c % 2 == 1) ? c + 1 : c;
  }
  return c;
}

std::string FoldToAscii(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (uint32_t c : DecodeUtf8(text)) {
    if (c < 0x80 && !IsApostrophe(c) && !IsSpace(c)) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else if (IsApostrophe(c)) {
      out.push_back('\'');
    } else if (IsDash(c)) {
      out.push_back('-');
    } else if (IsSpace(c) || c == kReplacement) {
      out.push_back(' ');
    } else if (IsCombiningMark(c)) {
      // "e" + U+0301 (decomposed é) folds to "e".
    } else if (c >= 0x00C0 && c <= 0x00FF) {
      const char* ascii = kLatin1[c - 0x00C0];
      out += (*ascii == '\0') ? " " : ascii;
    } else if (c >= 0x0100 && c <= 0x017F) {
      out += kLatinExtendedA[c - 0x0100];
    } else {
      AppendUtf8(c, &out);
    }
  }
  return out;
}

int EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = static_cast<int>(j);
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

double Similarity(absl::string_view a, absl::string_view b) {
  const size_t longest = std::max(a.size(), b.size());
  if (longest == 0) {
    return 1.0;
  }
  return 1.0 - static_cast<double>(EditDistance(a, b)) / static_cast<double>(longest);
}

}  // namespace sslpanel::prevalidation::domain
