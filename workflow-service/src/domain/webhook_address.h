// Which IP addresses a webhook may be sent to: only public unicast ones.
// Private, loopback, link-local, multicast, unspecified, shared (CGNAT),
// documentation and reserved ranges are refused, and so are IPv6 forms that
// embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo),
// which would otherwise smuggle a refused IPv4 address through. Loopback
// alone can be allowed, for local runs and tests. Pure: the caller resolves
// names and hands in the address bytes.
#pragma once

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sslpanel::workflow::domain {

enum class AddressClass {
  kPublic,
  kLoopback,
  kPrivate,       // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10
  kSharedCgnat,   // 100.64/10
  kLinkLocal,     // 169.254/16, fe80::/10
  kMulticast,     // 224/4, ff00::/8
  kUnspecified,   // 0/8, ::
  kEmbeddedIpv4,  // ::ffff:0:0/96, ::/96, 64:ff9b::/96, 64:ff9b:1::/48, 2002::/16, 2001::/32
  kReserved,      // documentation, benchmarking, 192.0.0/24, 240/4, broadcast, 100::/64
};

using Ipv4 = std::array<uint8_t, 4>;
using Ipv6 = std::array<uint8_t, 16>;

AddressClass Classify(const Ipv4& address);
AddressClass Classify(const Ipv6& address);

absl::string_view Describe(AddressClass kind);

// OK for a public address (or loopback when allowed); else
// INVALID_ARGUMENT naming `field`, the address text and why.
absl::Status CheckTarget(AddressClass kind, bool allow_loopback, absl::string_view field,
                         absl::string_view address_text);

}  // namespace sslpanel::workflow::domain
