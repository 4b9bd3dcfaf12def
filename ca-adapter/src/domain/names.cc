#include "ca-adapter/src/domain/names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sslpanel::ca::domain {

std::string HostNameProblem(absl::string_view name, bool allow_wildcard) {
  if (name.empty()) {
    return "must not be empty";
  }
  if (name.size() > 253) {
    return absl::StrCat("is ", name.size(), " characters long (at most 253)");
  }
  absl::string_view rest = name;
  if (absl::StartsWith(rest, "*.")) {
    if (!allow_wildcard) {
      return "is a wildcard name, which this CA does not issue";
    }
    rest.remove_prefix(2);
  }
  const std::vector<absl::string_view> labels = absl::StrSplit(rest, '.');
  if (labels.size() < 2) {
    return "must have at least two labels (e.g. example.nl)";
  }
  for (absl::string_view label : labels) {
    if (label.empty()) {
      return "has an empty label";
    }
    if (label.size() > 63) {
      return absl::StrCat("has a label of ", label.size(), " characters (at most 63)");
    }
    if (label.front() == '-' || label.back() == '-') {
      return absl::StrCat("has label \"", label, "\" starting or ending with a hyphen");
    }
    for (char c : label) {
      if (!(absl::ascii_isalpha(c) || absl::ascii_isdigit(c) || c == '-')) {
        return absl::StrCat("has label \"", label,
                            "\" with a character other than a-z, 0-9 and '-' (write IDNs in "
                            "their xn-- form)");
      }
    }
  }
  return "";
}

std::vector<std::string> OrderNames(absl::string_view common_name,
                                    const std::vector<std::string>& additional_names) {
  std::vector<std::string> names;
  auto add = [&names](absl::string_view name) {
    std::string lower = absl::AsciiStrToLower(name);
    for (const std::string& existing : names) {
      if (existing == lower) {
        return;
      }
    }
    names.push_back(std::move(lower));
  };
  add(common_name);
  for (const std::string& name : additional_names) {
    add(name);
  }
  return names;
}

bool HasLabel(absl::string_view name, absl::string_view label) {
  if (label.empty()) {
    return false;
  }
  for (absl::string_view part : absl::StrSplit(name, '.')) {
    if (absl::EqualsIgnoreCase(part, label)) {
      return true;
    }
  }
  return false;
}

absl::string_view WithoutWildcard(absl::string_view name) {
  if (absl::StartsWith(name, "*.")) {
    name.remove_prefix(2);
  }
  return name;
}

}  // namespace sslpanel::ca::domain
