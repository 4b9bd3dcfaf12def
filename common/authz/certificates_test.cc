#include "common/authz/certificates.h"

#include "absl/time/clock.h"
#include "common/testing/subprocess.h"
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

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sslpanel::testing::MakeTempDir("sslpanel-certs-");
    auto ca = TestCa::Create("files test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *ca;
  }
  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(sslpanel::testing::WriteTextFile(path, contents).ok());
    return path;
  }
  absl::Status Check(const std::string& cert, const std::string& key) {
    return CheckCertificateAndKey("--tls_cert_file", cert, "--tls_key_file", key, absl::Now());
  }

  std::string dir_;
  TestCa ca_;
};

TEST_F(FilesTest, AGoodPairPasses) {
  auto leaf = ca_.Issue({});
  ASSERT_TRUE(leaf.ok());
  // A chain file: leaf first, then the CA.
  EXPECT_TRUE(
      Check(Write("chain.pem", leaf->cert_pem + ca_.ca().cert_pem), Write("key.pem", leaf->key_pem))
          .ok());
  EXPECT_TRUE(CheckCaFile("--tls_client_ca_file", Write("ca.pem", ca_.ca().cert_pem)).ok());
}

TEST_F(FilesTest, EveryBadFileIsNamedWithItsProblem) {
  auto leaf = ca_.Issue({});
  auto other = ca_.Issue({});
  CertSpec old;
  old.valid_from = -absl::Hours(48);
  old.valid_until = -absl::Hours(24);
  auto expired = ca_.Issue(old);
  ASSERT_TRUE(leaf.ok() && other.ok() && expired.ok());
  const std::string cert = Write("cert.pem", leaf->cert_pem);
  const std::string key = Write("key.pem", leaf->key_pem);
  const std::string garbage = Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nxx\n");
  EXPECT_THAT(std::string(Check(garbage, key).message()),
              HasSubstr("--tls_cert_file " + garbage + ": holds no PEM certificate"));
  EXPECT_THAT(std::string(Check(cert, garbage).message()),
              HasSubstr("--tls_key_file " + garbage + ": holds no PEM private key"));
  EXPECT_THAT(std::string(Check(cert, Write("other-key.pem", other->key_pem)).message()),
              HasSubstr("the key does not match the certificate in --tls_cert_file " + cert));
  EXPECT_THAT(
      std::string(Check(Write("expired.pem", expired->cert_pem), Write("k2.pem", expired->key_pem))
                      .message()),
      HasSubstr("expired.pem: the certificate has expired"));
  EXPECT_THAT(std::string(CheckCaFile("--tls_client_ca_file", cert).message()),
              HasSubstr("--tls_client_ca_file " + cert + ": holds no CA certificate"));
  EXPECT_THAT(std::string(CheckCaFile("--tls_client_ca_file", garbage).message()),
              HasSubstr("holds no PEM certificate"));
}

}  // namespace
}  // namespace sslpanel::authz
