// Host-name rules for certificate names: LDH labels, lengths, a wildcard only
// as the whole leftmost label, IDNs only as punycode; and the .nl test that
// decides whether prevalidation applies.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sslpanel::workflow::domain {

// Lower-cases and drops one trailing dot ("WWW.Example.NL." -> "www.example.nl").
std::string NormalizeHostName(absl::string_view name);

// OK for a normalised, valid certificate name; else INVALID_ARGUMENT that
// starts with `field` and says what is wrong.
absl::Status ValidateHostName(absl::string_view field, absl::string_view name, bool allow_wildcard);

// Whether the name is under the .nl top-level domain (any case, trailing
// dot, any depth, wildcard or punycode labels).
bool IsUnderNl(absl::string_view name);

// Whether `name` is covered by `pattern` ("*.example.nl" covers exactly one
// extra label). Both normalised.
bool NameMatches(absl::string_view pattern, absl::string_view name);

}  // namespace sslpanel::workflow::domain
