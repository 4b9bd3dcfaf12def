#include "workflow-service/src/domain/webhook_address.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::domain {
namespace {

// True when the first `bits` bits of `address` equal those of `prefix`.
template <size_t N>
bool InPrefix(const std::array<uint8_t, N>& address, std::array<uint8_t, N> prefix, int bits) {
  for (int i = 0; i < bits; ++i) {
    const int byte = i / 8;
    const int mask = 0x80 >> (i % 8);
    if ((address[byte] & mask) != (prefix[byte] & mask)) {
      return false;
    }
  }
  return true;
}

Ipv6 V6(std::initializer_list<uint8_t> head) {
  Ipv6 out{};
  std::copy(head.begin(), head.end(), out.begin());
  return out;
}

}  // namespace

AddressClass Classify(const Ipv4& a) {
  struct Range {
    Ipv4 prefix;
    int bits;
    AddressClass kind;
  };
  static const Range kRanges[] = {
      {{0, 0, 0, 0}, 8, AddressClass::kUnspecified},
      {{10, 0, 0, 0}, 8, AddressClass::kPrivate},
      {{100, 64, 0, 0}, 10, AddressClass::kSharedCgnat},
      {{127, 0, 0, 0}, 8, AddressClass::kLoopback},
      {{169, 254, 0, 0}, 16, AddressClass::kLinkLocal},
      {{172, 16, 0, 0}, 12, AddressClass::kPrivate},
      {{192, 0, 0, 0}, 24, AddressClass::kReserved},
      {{192, 0, 2, 0}, 24, AddressClass::kReserved},
      {{192, 88, 99, 0}, 24, AddressClass::kReserved},
      {{192, 168, 0, 0}, 16, AddressClass::kPrivate},
      {{198, 18, 0, 0}, 15, AddressClass::kReserved},
      {{198, 51, 100, 0}, 24, AddressClass::kReserved},
      {{203, 0, 113, 0}, 24, AddressClass::kReserved},
      {{224, 0, 0, 0}, 4, AddressClass::kMulticast},
      {{240, 0, 0, 0}, 4, AddressClass::kReserved},  // includes 255.255.255.255
  };
  for (const Range& r : kRanges) {
    if (InPrefix(a, r.prefix, r.bits)) {
      return r.kind;
    }
  }
  return AddressClass::kPublic;
}

AddressClass Classify(const Ipv6& a) {
  static const Ipv6 kLoopback = V6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  if (a == Ipv6{}) {
    return AddressClass::kUnspecified;
  }
  if (a == kLoopback) {
    return AddressClass::kLoopback;
  }
  struct Range {
    Ipv6 prefix;
    int bits;
    AddressClass kind;
  };
  static const Range kRanges[] = {
      {V6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}), 96, AddressClass::kEmbeddedIpv4},
      {V6({}), 96, AddressClass::kEmbeddedIpv4},  // IPv4-compatible (deprecated)
      {V6({0, 0x64, 0xff, 0x9b}), 96, AddressClass::kEmbeddedIpv4},
      {V6({0, 0x64, 0xff, 0x9b, 0, 1}), 48, AddressClass::kEmbeddedIpv4},
      {V6({0x20, 0x02}), 16, AddressClass::kEmbeddedIpv4},             // 6to4
      {V6({0x20, 0x01, 0, 0}), 32, AddressClass::kEmbeddedIpv4},       // Teredo
      {V6({0x01, 0, 0, 0, 0, 0, 0, 0}), 64, AddressClass::kReserved},  // discard-only
      {V6({0x20, 0x01, 0x0d, 0xb8}), 32, AddressClass::kReserved},     // documentation
      {V6({0x3f, 0xff}), 20, AddressClass::kReserved},                 // documentation
      {V6({0xfc}), 7, AddressClass::kPrivate},
      {V6({0xfe, 0xc0}), 10, AddressClass::kPrivate},  // site-local (deprecated)
      {V6({0xfe, 0x80}), 10, AddressClass::kLinkLocal},
      {V6({0xff}), 8, AddressClass::kMulticast},
  };
  for (const Range& r : kRanges) {
    if (InPrefix(a, r.prefix, r.bits)) {
      return r.kind;
    }
  }
  return AddressClass::kPublic;
}

absl::string_view Describe(AddressClass kind) {
  switch (kind) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kSharedCgnat:
      return "shared (CGNAT)";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kEmbeddedIpv4:
      return "an IPv6 form embedding an IPv4 address";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

absl::Status CheckTarget(AddressClass kind, bool allow_loopback, absl::string_view field,
                         absl::string_view address_text) {
  if (kind == AddressClass::kPublic || (kind == AddressClass::kLoopback && allow_loopback)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": the host resolves to ", address_text, ", a ", Describe(kind),
      " address; webhooks go to public addresses only",
      kind == AddressClass::kLoopback ? " (loopback needs --webhook_allow_loopback)" : ""));
}

}  // namespace sslpanel::workflow::domain
