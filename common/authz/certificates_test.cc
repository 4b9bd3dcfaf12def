#include "common/authz/certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
  EXPECT_TRUE(
      CheckCaFile("--tls_client_ca_file", Write("ca.pem", ca_.ca().cert_pem), absl::Now()).ok());
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
  EXPECT_THAT(std::string(CheckCaFile("--tls_client_ca_file", cert, absl::Now()).message()),
              HasSubstr("--tls_client_ca_file " + cert + ": holds no CA certificate"));
  EXPECT_THAT(std::string(CheckCaFile("--tls_client_ca_file", garbage, absl::Now()).message()),
              HasSubstr("holds no PEM certificate"));
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

// A v1 self-signed certificate: X509_check_ca() calls it a CA (3), but it
// has no basicConstraints CA:TRUE.
std::string SelfSignedV1() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, X509_VERSION_1);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("v1 root"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  EXPECT_EQ(X509_check_ca(cert), 3);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, size);
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

TEST_F(FilesTest, OnlyARealCaValidNowIsACa) {
  EXPECT_THAT(
      std::string(CheckCaFile("--tls_client_ca_file", Write("v1.pem", SelfSignedV1()), absl::Now())
                      .message()),
      HasSubstr("v1.pem: holds no CA certificate (basicConstraints CA:TRUE)"));
  CertSpec old;
  old.is_ca = true;
  old.valid_from = -absl::Hours(48);
  old.valid_until = -absl::Hours(24);
  auto expired = ca_.Issue(old);
  ASSERT_TRUE(expired.ok());
  const std::string expired_ca = Write("expired-ca.pem", expired->cert_pem);
  EXPECT_THAT(std::string(CheckCaFile("--tls_client_ca_file", expired_ca, absl::Now()).message()),
              HasSubstr("expired-ca.pem: its CA certificates have expired or are not valid yet"));
  EXPECT_TRUE(CheckCaFile("--tls_client_ca_file", expired_ca, absl::Now() - absl::Hours(36)).ok());
  // A bundle with one good CA passes.
  EXPECT_TRUE(CheckCaFile("--tls_client_ca_file",
                          Write("bundle.pem", expired->cert_pem + ca_.ca().cert_pem), absl::Now())
                  .ok());
}

TEST_F(FilesTest, AnEncryptedKeyIsRefusedWithoutAPrompt) {
  auto leaf = ca_.Issue({});
  ASSERT_TRUE(leaf.ok());
  BIO* in = BIO_new_mem_buf(leaf->key_pem.data(), static_cast<int>(leaf->key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  ASSERT_NE(key, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  char passphrase[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), passphrase,
                                          sizeof(passphrase) - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  const std::string encrypted(data, size);
  BIO_free(out);
  BIO_free(in);
  EVP_PKEY_free(key);
  EXPECT_THAT(
      std::string(Check(Write("cert.pem", leaf->cert_pem), Write("enc.pem", encrypted)).message()),
      HasSubstr("enc.pem: the private key is encrypted; encrypted private keys are not "
                "supported"));
}

}  // namespace
}  // namespace sslpanel::authz
