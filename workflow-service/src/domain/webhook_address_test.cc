#include "workflow-service/src/domain/webhook_address.h"

#include <arpa/inet.h>

#include <string>

#include "gtest/gtest.h"

namespace sslpanel::workflow::domain {
namespace {

AddressClass ClassifyText(const std::string& text) {
  Ipv4 v4;
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) {
    return Classify(v4);
  }
  Ipv6 v6;
  EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), v6.data()), 1) << text;
  return Classify(v6);
}

TEST(WebhookAddress, EveryRefusedRangeAndSomePublicOnes) {
  using A = AddressClass;
  struct Row {
    const char* address;
    AddressClass want;
  };
  const Row rows[] = {
      {"93.184.216.34", A::kPublic},
      {"8.8.8.8", A::kPublic},
      {"1.1.1.1", A::kPublic},
      {"172.32.0.1", A::kPublic},   // just above 172.16/12
      {"100.128.0.1", A::kPublic},  // just above 100.64/10
      {"169.253.255.255", A::kPublic},
      {"0.0.0.0", A::kUnspecified},
      {"0.1.2.3", A::kUnspecified},
      {"10.0.0.1", A::kPrivate},
      {"10.255.255.255", A::kPrivate},
      {"100.64.0.1", A::kSharedCgnat},
      {"100.127.255.254", A::kSharedCgnat},
      {"127.0.0.1", A::kLoopback},
      {"127.255.0.9", A::kLoopback},
      {"169.254.169.254", A::kLinkLocal},  // cloud metadata
      {"172.16.0.1", A::kPrivate},
      {"172.31.255.255", A::kPrivate},
      {"192.0.0.8", A::kReserved},
      {"192.0.2.1", A::kReserved},
      {"192.168.1.1", A::kPrivate},
      {"198.18.0.1", A::kReserved},
      {"198.19.255.1", A::kReserved},
      {"198.51.100.7", A::kReserved},
      {"203.0.113.9", A::kReserved},
      {"224.0.0.1", A::kMulticast},
      {"239.255.255.250", A::kMulticast},
      {"240.0.0.1", A::kReserved},
      {"255.255.255.255", A::kReserved},
      {"2606:2800:220:1:248:1893:25c8:1946", A::kPublic},
      {"2a00:1450:4001:80b::200e", A::kPublic},
      {"::", A::kUnspecified},
      {"::1", A::kLoopback},
      {"::ffff:127.0.0.1", A::kEmbeddedIpv4},
      {"::ffff:8.8.8.8", A::kEmbeddedIpv4},  // refused as a form, whatever it embeds
      {"::10.0.0.1", A::kEmbeddedIpv4},
      {"64:ff9b::a00:1", A::kEmbeddedIpv4},
      {"64:ff9b:1::1", A::kEmbeddedIpv4},
      {"2002:7f00:1::1", A::kEmbeddedIpv4},
      {"2001:0:4136:e378::1", A::kEmbeddedIpv4},
      {"100::1", A::kReserved},
      {"2001:db8::1", A::kReserved},
      {"3fff::1", A::kReserved},
      {"fc00::1", A::kPrivate},
      {"fd12:3456::1", A::kPrivate},
      {"fec0::1", A::kPrivate},
      {"fe80::1", A::kLinkLocal},
      {"febf::1", A::kLinkLocal},
      {"ff02::1", A::kMulticast},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(ClassifyText(r.address), r.want) << r.address;
  }
}

TEST(WebhookAddress, LoopbackFlagAllowsLoopbackOnly) {
  for (bool allow : {false, true}) {
    EXPECT_TRUE(CheckTarget(AddressClass::kPublic, allow, "url", "8.8.8.8").ok());
    EXPECT_EQ(CheckTarget(AddressClass::kLoopback, allow, "url", "127.0.0.1").ok(), allow);
    for (AddressClass refused :
         {AddressClass::kPrivate, AddressClass::kSharedCgnat, AddressClass::kLinkLocal,
          AddressClass::kMulticast, AddressClass::kUnspecified, AddressClass::kEmbeddedIpv4,
          AddressClass::kReserved}) {
      const absl::Status status = CheckTarget(refused, allow, "url", "x");
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(status.message().substr(0, 4), "url:") << status;
    }
  }
}

}  // namespace
}  // namespace sslpanel::workflow::domain
