#include "workflow-service/src/domain/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sslpanel::workflow::domain {
namespace {

constexpr size_t kMaxNameLength = 253;
constexpr size_t kMaxLabelLength = 63;

bool IsLdh(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-'; }

}  // namespace

std::string NormalizeHostName(absl::string_view name) {
  std::string out = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  return out;
}

absl::Status ValidateHostName(absl::string_view field, absl::string_view name,
                              bool allow_wildcard) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": \"", name, "\" ", why));
  };
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": a host name is required"));
  }
  if (name.size() > kMaxNameLength) {
    return invalid(absl::StrCat("is longer than ", kMaxNameLength, " characters"));
  }
  for (unsigned char c : name) {
    if (c >= 0x80) {
      return invalid(
          "contains non-ASCII characters; give internationalised names as punycode "
          "(xn--...)");
    }
  }
  std::vector<absl::string_view> labels = absl::StrSplit(name, '.');
  if (labels.size() < 2) {
    return invalid("needs at least two labels (a registered domain)");
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    absl::string_view label = labels[i];
    if (label == "*") {
      if (i != 0) {
        return invalid("has a wildcard that is not the leftmost label");
      }
      if (!allow_wildcard) {
        return invalid("is a wildcard name, which this product does not allow");
      }
      if (labels.size() < 3) {
        return invalid("is a wildcard directly under a top-level domain");
      }
      continue;
    }
    if (label.empty()) {
      return invalid("has an empty label");
    }
    if (label.size() > kMaxLabelLength) {
      return invalid(absl::StrCat("has a label longer than ", kMaxLabelLength, " characters"));
    }
    for (char c : label) {
      if (c == '*') {
        return invalid("has a wildcard that is not a whole label");
      }
      if (c == '_') {
        return invalid("contains '_', which is not allowed in host names");
      }
      if (!IsLdh(c)) {
        return invalid(absl::StrCat("contains '", std::string(1, c),
                                    "'; only letters, digits and '-' are allowed"));
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid(absl::StrCat("has label \"", label, "\" starting or ending with '-'"));
    }
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-' &&
        !absl::StartsWith(label, "xn--")) {
      return invalid(absl::StrCat("has reserved label \"", label, "\" ('--' in positions 3-4)"));
    }
    if (absl::StartsWith(label, "xn--") && label.size() == 4) {
      return invalid("has an empty punycode label");
    }
  }
  const absl::string_view tld = labels.back();
  bool all_digits = true;
  for (char c : tld) {
    all_digits = all_digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  if (all_digits) {
    return invalid("looks like an IP address; certificates here are for host names");
  }
  return absl::OkStatus();
}

bool IsUnderNl(absl::string_view name) {
  const std::string normal = NormalizeHostName(name);
  return absl::EndsWith(normal, ".nl") && normal.size() > 3;
}

bool NameMatches(absl::string_view pattern, absl::string_view name) {
  if (pattern == name) {
    return true;
  }
  if (!absl::StartsWith(pattern, "*.")) {
    return false;
  }
  const size_t dot = name.find('.');
  return dot != absl::string_view::npos && name.substr(dot) == pattern.substr(1);
}

}  // namespace sslpanel::workflow::domain
