// The start-up checks of TLS files: a good pair and CA pass; every bad file
// is named with its problem; only a real CA valid now is a CA; an encrypted
// key is refused without a prompt.
#include "common/x509/tls_files.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/time/clock.h"
#include "common/testing/subprocess.h"
#include "common/testing/test_certs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::x509 {
namespace {

using sslpanel::testing::CertSpec;
using sslpanel::testing::TestCa;
using ::testing::HasSubstr;

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
}  // namespace sslpanel::x509
