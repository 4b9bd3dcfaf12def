#include "common/authz/certificates.h"

#include "common/testing/test_certs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::authz {
namespace {

using sslpanel::testing::CertSpec;
using sslpanel::testing::TestCa;
using ::testing::HasSubstr;

TEST(IdentityTest, TheSpiffeIdElseTheFirstDnsName) {
  auto ca = TestCa::Create("identity test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  const struct {
    std::vector<std::string> sans;
    const char* identity;
  } kCases[] = {
      {{"URI:spiffe://sslpanel.local/billing"}, "spiffe://sslpanel.local/billing"},
      {{"DNS:billing.internal", "URI:spiffe://sslpanel.local/ops/alice"},
       "spiffe://sslpanel.local/ops/alice"},
      // Two URIs: neither is trusted, the DNS name is.
      {{"URI:spiffe://sslpanel.local/a", "URI:spiffe://sslpanel.local/b", "DNS:b.internal"},
       "b.internal"},
      // Not a SPIFFE ID.
      {{"URI:https://sslpanel.local/billing", "DNS:first.internal", "DNS:second.internal"},
       "first.internal"},
      {{"URI:spiffe:///no-trust-domain"}, ""},
      {{"IP:127.0.0.1", "DNS:localhost"}, "localhost"},
      {{"IP:127.0.0.1"}, ""},
      // A DNS name that looks like another identity is none.
      {{"DNS:spiffe://sslpanel.local/ops/x"}, ""},
      {{"DNS:*.sslpanel.local"}, ""},
      // Not a SPIFFE ID: the DNS name is taken.
      {{"URI:spiffe://sslpanel.local/ops/../billing", "DNS:c.internal"}, "c.internal"},
      {{}, ""},  // the subject CN is never an identity
  };
  for (const auto& c : kCases) {
    CertSpec spec;
    spec.common_name = "spiffe://sslpanel.local/cn-is-not-trusted";
    spec.sans = c.sans;
    auto issued = ca->Issue(spec);
    ASSERT_TRUE(issued.ok()) << issued.status();
    auto identity = IdentityFromCertificate(issued->cert_pem);
    ASSERT_TRUE(identity.ok()) << identity.status();
    EXPECT_EQ(*identity, c.identity);
  }
  EXPECT_FALSE(IdentityFromCertificate("not a certificate").ok());
}

TEST(IdentityTest, SpiffeIdsFollowTheSpiffeIdSpec) {
  const struct {
    const char* uri;
    bool valid;
  } kCases[] = {
      {"spiffe://sslpanel.local/billing", true},
      {"spiffe://sslpanel.local/ops/alice", true},
      {"spiffe://sslpanel.local", true},
      {"spiffe://sslpanel-1.local_x/A.b-c_D/9", true},
      {"spiffe://sslpanel.local/ops/al%69ce", false},  // percent-encoding
      {"spiffe://sslpanel.local/ops/../billing", false},
      {"spiffe://sslpanel.local/./billing", false},
      {"spiffe://sslpanel.local/ops//alice", false},  // empty segment
      {"spiffe://sslpanel.local/billing/", false},    // trailing slash
      {"spiffe://sslpanel.local/", false},
      {"spiffe://sslpanel.local/billing?x=1", false},
      {"spiffe://sslpanel.local/billing#f", false},
      {"spiffe://sslpanel.local:8443/billing", false},  // port
      {"spiffe://user@sslpanel.local/billing", false},  // userinfo
      {"spiffe://SSLPANEL.local/billing", false},       // upper-case trust domain
      {"SPIFFE://sslpanel.local/billing", false},
      {"spiffe:///billing", false},
      {"spiffe://", false},
      {"spiffe://sslpanel.local/ops/alice smith", false},
      {"https://sslpanel.local/billing", false},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(IsSpiffeId(c.uri), c.valid) << c.uri;
  }
  EXPECT_FALSE(IsSpiffeId("spiffe://a/" + std::string(2048, 'x')));
}

TEST(IdentityTest, DnsIdentitiesAreHostNames) {
  const struct {
    const char* name;
    bool valid;
  } kCases[] = {
      {"billing.internal", true},
      {"localhost", true},
      {"a-1.B2.example", true},
      {"spiffe://sslpanel.local/ops/x", false},
      {"*.sslpanel.local", false},
      {"host:8443", false},
      {"a/b", false},
      {"-a.example", false},
      {"a-.example", false},
      {"a..example", false},
      {"example.", false},
      {"", false},
      {"user@example", false},
      {"caf\xc3\xa9.example", false},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(IsHostName(c.name), c.valid) << c.name;
  }
  EXPECT_FALSE(IsHostName(std::string(64, 'a') + ".example"));
}

}  // namespace
}  // namespace sslpanel::authz
