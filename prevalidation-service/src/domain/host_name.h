// Host names as customers type them ("WWW.Example.NL.", "*.bücher.nl") in the
// ASCII form registries and certificates use ("www.example.nl",
// "*.xn--bcher-kva.nl"), and the .nl domain a name lives under.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::domain {

struct HostName {
  // Lower-case ASCII (A-labels), no trailing dot, e.g. "*.xn--bcher-kva.nl".
  std::string ascii;
  // Its labels, the wildcard included.
  std::vector<std::string> labels;
  bool wildcard = false;
};

// Parses a host name: case-insensitive, one trailing dot allowed, the
// ideographic full stops count as dots, Unicode labels are encoded with
// punycode (RFC 3492) after lower-casing Latin letters. This is not full
// IDNA 2008/UTS #46 mapping: labels must be lower-case-able Latin or already
// lower case. `allow_wildcard` permits "*" as the leftmost label.
// INVALID_ARGUMENT explains what is wrong (without naming a field).
absl::StatusOr<HostName> ParseHostName(absl::string_view text, bool allow_wildcard);

// True when the name is under the .nl top-level domain (not ".nl" itself).
bool IsUnderNl(const HostName& host);

// The registered .nl domain of a name under .nl: "shop.example.nl" ->
// "example.nl" (.nl registers second-level names only).
std::string RegisteredNlDomain(const HostName& host);

// The distinct registered .nl domains of an order's names, the common
// name's first, then the additional names' in their order; names outside
// .nl are left out.
std::vector<std::string> RegisteredNlDomains(const HostName& common_name,
                                             const std::vector<HostName>& additional_names);

// Punycode (RFC 3492) of one label's code points, without the "xn--" prefix.
std::string PunycodeEncode(const std::vector<uint32_t>& code_points);

}  // namespace sslpanel::prevalidation::domain
