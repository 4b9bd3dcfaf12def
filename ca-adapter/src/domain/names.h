// Host-name rules shared by every adapter: what a valid certificate name is,
// the order's name list (common name first, no duplicates), and label tests
// the sandbox's scripted outcomes use.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::ca::domain {

// Empty when `name` is a valid DNS name for a certificate: ASCII (IDNs in
// their xn-- form; case does not matter), at least two labels of 1..63 letters, digits or
// hyphens not at either end, at most 253 characters, and optionally "*." in
// front when `allow_wildcard`. Otherwise why not, for an error message.
std::string HostNameProblem(absl::string_view name, bool allow_wildcard);

// The common name followed by the additional names, lower-cased, without
// duplicates, in their first order.
std::vector<std::string> OrderNames(absl::string_view common_name,
                                    const std::vector<std::string>& additional_names);

// True when one of the dot-separated labels of `name` equals `label`
// (case-insensitive): HasLabel("refuse.example.com", "refuse").
bool HasLabel(absl::string_view name, absl::string_view label);

// "www.example.nl" for "*.www.example.nl"; the name itself otherwise.
absl::string_view WithoutWildcard(absl::string_view name);

}  // namespace sslpanel::ca::domain
