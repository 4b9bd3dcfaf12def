// The CSR corpus: every way a CSR can be unacceptable, each refused with its
// reason, and good ones read back field by field.
#include "workflow-service/src/csr/openssl_csr_parser.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::csr {
namespace {

using sslpanel::testing::CsrSpec;
using sslpanel::testing::MakeCsr;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(OpenSslCsrParser, ReadsSubjectNamesKeyAndSignature) {
  CsrSpec spec;
  spec.common_name = "www.example.nl";
  spec.dns_names = {"www.example.nl", "example.nl"};
  spec.organization = "Test BV Donald";
  spec.locality = "Amsterdam";
  spec.country = "NL";
  auto csr = OpenSslCsrParser().Parse(MakeCsr(spec));
  ASSERT_TRUE(csr.ok()) << csr.status();
  EXPECT_EQ(csr->common_name, "www.example.nl");
  EXPECT_THAT(csr->dns_names, ElementsAre("www.example.nl", "example.nl"));
  EXPECT_EQ(csr->organization, "Test BV Donald");
  EXPECT_EQ(csr->locality, "Amsterdam");
  EXPECT_EQ(csr->country, "NL");
  EXPECT_EQ(csr->key_algorithm, "EC");
  EXPECT_EQ(csr->curve, "prime256v1");
  EXPECT_EQ(csr->key_bits, 256);
  EXPECT_EQ(csr->signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_TRUE(csr->signature_valid);
  EXPECT_THAT(csr->problems, IsEmpty());
}

struct BadCase {
  const char* name;
  CsrSpec spec;
  const char* problem;
};

TEST(OpenSslCsrParser, CorpusOfUnacceptableCsrs) {
  auto rsa = [](int bits, const char* digest = "SHA256") {
    CsrSpec spec;
    spec.key = CsrSpec::Key::kRsa;
    spec.rsa_bits = bits;
    spec.digest = digest;
    return spec;
  };
  auto ec = [](const char* curve) {
    CsrSpec spec;
    spec.curve = curve;
    return spec;
  };
  CsrSpec corrupted;
  corrupted.corrupt_signature = true;
  const BadCase cases[] = {
      {"RSA 1024", rsa(1024), "RSA key of 1024 bits is too small"},
      {"RSA 2047", rsa(2047), "RSA key of 2047 bits is too small"},
      {"EC P-224", ec("secp224r1"), "EC curve secp224r1 is not accepted"},
      {"EC secp256k1", ec("secp256k1"), "EC curve secp256k1 is not accepted"},
      {"SHA-1", rsa(2048, "SHA1"), "signed with sha1WithRSAEncryption"},
      {"corrupted signature", corrupted, "signature does not verify"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto csr = OpenSslCsrParser().Parse(MakeCsr(c.spec));
    ASSERT_TRUE(csr.ok()) << csr.status();
    EXPECT_THAT(csr->problems, ::testing::Contains(HasSubstr(c.problem)));
  }
}

TEST(OpenSslCsrParser, GoodRsaAndP384AreAccepted) {
  CsrSpec rsa;
  rsa.key = CsrSpec::Key::kRsa;
  rsa.rsa_bits = 2048;
  auto a = OpenSslCsrParser().Parse(MakeCsr(rsa));
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->problems, IsEmpty());
  EXPECT_EQ(a->key_bits, 2048);
  CsrSpec p384;
  p384.curve = "secp384r1";
  p384.digest = "SHA384";
  auto b = OpenSslCsrParser().Parse(MakeCsr(p384));
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(b->problems, IsEmpty());
}

// The exponent rule (odd, at least 65537) with real keys on both sides of it;
// 65538 cannot be generated (no RSA key has an even exponent), so it is swapped
// into a signed request, whose signature then fails too.
TEST(OpenSslCsrParser, RsaExponentMustBeOddAndAtLeast65537) {
  struct Case {
    unsigned long generated;
    unsigned long swapped_in;
    const char* problem;  // nullptr: accepted
  };
  const Case cases[] = {
      {3, 0, "RSA public exponent 3 is not accepted; it must be odd and at least 65537"},
      {17, 0, "RSA public exponent 17 is not accepted"},
      {65535, 0, "RSA public exponent 65535 is not accepted"},
      {65537, 65538, "RSA public exponent 65538 is not accepted"},
      {65537, 0, nullptr},
      {65539, 0, nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("e=", c.generated, " swapped in ", c.swapped_in));
    CsrSpec spec;
    spec.key = CsrSpec::Key::kRsa;
    spec.rsa_exponent = c.generated;
    spec.swap_in_rsa_exponent = c.swapped_in;
    auto csr = OpenSslCsrParser().Parse(MakeCsr(spec));
    ASSERT_TRUE(csr.ok()) << csr.status();
    if (c.problem == nullptr) {
      EXPECT_THAT(csr->problems, IsEmpty());
    } else {
      EXPECT_THAT(csr->problems, ::testing::Contains(HasSubstr(c.problem)));
    }
  }
}

// The key of an RSA or EC P-256/P-384 CSR is read without OpenSSL's decoder
// (the parser's fast path); every answer must be the full decode's, field by
// field, for good and bad CSRs alike (the fuzz target compares any input).
TEST(OpenSslCsrParser, TheFastKeyReadAnswersExactlyAsTheFullDecode) {
  std::vector<CsrSpec> specs;
  CsrSpec named;
  named.common_name = "www.example.nl";
  named.dns_names = {"www.example.nl", "example.nl"};
  named.organization = "Test BV";
  named.locality = "Amsterdam";
  named.country = "NL";
  specs.push_back(named);
  for (const char* curve : {"secp384r1", "secp224r1", "secp256k1", "secp521r1"}) {
    CsrSpec spec;
    spec.curve = curve;
    specs.push_back(spec);
  }
  for (int bits : {1024, 2048, 3072}) {
    CsrSpec spec;
    spec.key = CsrSpec::Key::kRsa;
    spec.rsa_bits = bits;
    specs.push_back(spec);
  }
  CsrSpec e3;
  e3.key = CsrSpec::Key::kRsa;
  e3.rsa_exponent = 3;
  specs.push_back(e3);
  CsrSpec swapped;
  swapped.key = CsrSpec::Key::kRsa;
  swapped.swap_in_rsa_exponent = 65538;
  specs.push_back(swapped);
  for (const char* digest : {"SHA1", "SHA384", "SHA512"}) {
    CsrSpec rsa;
    rsa.key = CsrSpec::Key::kRsa;
    rsa.digest = digest;
    specs.push_back(rsa);
    CsrSpec ec;
    ec.digest = digest;
    specs.push_back(ec);
  }
  CsrSpec corrupted_ec;
  corrupted_ec.corrupt_signature = true;
  specs.push_back(corrupted_ec);
  CsrSpec corrupted_rsa = corrupted_ec;
  corrupted_rsa.key = CsrSpec::Key::kRsa;
  specs.push_back(corrupted_rsa);

  const OpenSslCsrParser fast;
  const OpenSslCsrParser full(OpenSslCsrParser::FullDecodeOnly());
  for (size_t i = 0; i < specs.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("spec ", i));
    const std::string pem = MakeCsr(specs[i]);
    std::string der_base64 = pem.substr(pem.find('\n') + 1);
    der_base64 = der_base64.substr(0, der_base64.find("-----END"));
    for (const std::string& text : {pem, der_base64}) {
      auto a = fast.Parse(text);
      auto b = full.Parse(text);
      ASSERT_TRUE(a.ok()) << a.status();
      ASSERT_TRUE(b.ok()) << b.status();
      EXPECT_TRUE(*a == *b) << "fast: " << a->key_algorithm << " " << a->curve << " " << a->key_bits
                            << " " << a->problems.size() << "; full: " << b->key_algorithm << " "
                            << b->curve << " " << b->key_bits << " " << b->problems.size();
    }
  }
}

// Good RSA, P-256 and P-384 CSRs do take the fast path (the equality above
// would hold as well if it never answered).
TEST(OpenSslCsrParser, GoodRsaP256AndP384CsrsTakeTheFastPath) {
  CsrSpec rsa;
  rsa.key = CsrSpec::Key::kRsa;
  CsrSpec p256;
  CsrSpec p384;
  p384.curve = "secp384r1";
  p384.digest = "SHA384";
  const OpenSslCsrParser fast;
  const OpenSslCsrParser full(OpenSslCsrParser::FullDecodeOnly());
  for (const CsrSpec& spec : {rsa, p256, p384}) {
    const std::string pem = MakeCsr(spec);
    const int64_t before = fast.fast_parses();
    auto a = fast.Parse(pem);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_THAT(a->problems, IsEmpty());
    EXPECT_EQ(fast.fast_parses(), before + 1) << a->key_algorithm << " " << a->curve;
    EXPECT_TRUE(*a == *full.Parse(pem));
  }
  EXPECT_EQ(full.fast_parses(), 0);
}

// Hand-built requests at the fast path's edges: DER put together here and
// signed with the key, so only the field named differs from a good CSR.
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string Tlv(unsigned char tag, const std::string& content) {
  std::string out(1, static_cast<char>(tag));
  const size_t n = content.size();
  if (n < 0x80) {
    out += static_cast<char>(n);
  } else if (n < 0x100) {
    out += '\x81';
    out += static_cast<char>(n);
  } else {
    out += '\x82';
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  }
  return out + content;
}

template <typename T, typename F>
std::string Der(const T* value, F i2d) {
  unsigned char* out = nullptr;
  const int length = i2d(value, &out);
  EXPECT_GT(length, 0);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(std::max(length, 0)));
  OPENSSL_free(out);
  return der;
}

std::string OidDer(const char* dotted) {
  ASN1_OBJECT* oid = OBJ_txt2obj(dotted, 1);
  std::string der =
      Der(oid, [](const ASN1_OBJECT* o, unsigned char** out) { return i2d_ASN1_OBJECT(o, out); });
  ASN1_OBJECT_free(oid);
  return der;
}

struct Edge {
  std::string name;
  PkeyPtr* key;
  std::string spki;  // empty: the key's own (named curve)
  int version = 0;
  std::string signature_algorithm;  // its DER
  bool attributes = true;           // the [0] field, empty
  std::string trailing;             // bytes after the request
  bool fast;                        // the fast path answers
  std::string problem;              // expected in both answers ("" for none)
};

std::string BuildRequest(const Edge& edge) {
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("www.example.com"), -1, -1, 0);
  const std::string subject =
      Der(name, [](const X509_NAME* n, unsigned char** out) { return i2d_X509_NAME(n, out); });
  X509_NAME_free(name);
  const std::string spki = !edge.spki.empty()
                               ? edge.spki
                               : Der(edge.key->get(), [](const EVP_PKEY* k, unsigned char** out) {
                                   return i2d_PUBKEY(k, out);
                                 });
  std::string version_der = Tlv(0x02, std::string(1, static_cast<char>(edge.version)));
  const std::string info =
      Tlv(0x30, version_der + subject + spki + (edge.attributes ? Tlv(0xa0, "") : std::string()));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t length = 0;
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, edge.key->get()), 1);
  const auto* tbs = reinterpret_cast<const unsigned char*>(info.data());
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, tbs, info.size()), 1);
  std::string signature(length, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                           tbs, info.size()),
            1);
  signature.resize(length);
  return Tlv(0x30, info + edge.signature_algorithm + Tlv(0x03, std::string(1, '\0') + signature)) +
         edge.trailing;
}

TEST(OpenSslCsrParser, AtTheFastPathsEdgesBothPathsAnswerAlike) {
  PkeyPtr rsa(EVP_RSA_gen(2048), EVP_PKEY_free);
  PkeyPtr ec(EVP_EC_gen("prime256v1"), EVP_PKEY_free);
  ASSERT_NE(rsa, nullptr);
  ASSERT_NE(ec, nullptr);
  // The same P-256 key with its curve spelt out as explicit parameters.
  PkeyPtr explicit_ec(EVP_PKEY_dup(ec.get()), EVP_PKEY_free);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(explicit_ec.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                           OSSL_PKEY_EC_ENCODING_EXPLICIT),
            1);
  const std::string explicit_spki = Der(
      explicit_ec.get(), [](const EVP_PKEY* k, unsigned char** out) { return i2d_PUBKEY(k, out); });
  // id-ecPublicKey followed by a SEQUENCE (the parameters), not an OID.
  ASSERT_NE(explicit_spki.find(OidDer("1.2.840.10045.2.1") + "\x30"), std::string::npos);

  const std::string ecdsa_sha256 = Tlv(0x30, OidDer("1.2.840.10045.4.3.2"));
  const std::string rsa_sha256 = Tlv(0x30, OidDer("1.2.840.113549.1.1.11") + Tlv(0x05, ""));
  // ecdsa-with-Specified { sha256 }: OpenSSL reads no digest from its OID.
  const std::string ecdsa_specified =
      Tlv(0x30, OidDer("1.2.840.10045.4.3") + Tlv(0x30, OidDer("2.16.840.1.101.3.4.2.1")));
  const std::string ecdsa_recommended = Tlv(0x30, OidDer("1.2.840.10045.4.2"));

  const std::vector<Edge> edges = {
      {"good EC", &ec, "", 0, ecdsa_sha256, true, "", true, ""},
      {"good RSA", &rsa, "", 0, rsa_sha256, true, "", true, ""},
      {"RSA key, ECDSA signature OID", &rsa, "", 0, ecdsa_sha256, true, "", false,
       "signature does not verify"},
      {"explicit curve parameters", &ec, explicit_spki, 0, ecdsa_sha256, true, "", false,
       "explicit curve parameters"},
      {"ecdsa-with-Specified", &ec, "", 0, ecdsa_specified, true, "", false, "SHA-256, SHA-384"},
      {"ecdsa-with-Recommended", &ec, "", 0, ecdsa_recommended, true, "", false,
       "SHA-256, SHA-384"},
      {"trailing bytes", &ec, "", 0, ecdsa_sha256, true, std::string("\x00\x00", 2), true, ""},
      {"version 2", &ec, "", 2, ecdsa_sha256, true, "", true, "version 2 is not accepted"},
      {"no attributes field", &ec, "", 0, ecdsa_sha256, false, "", true, ""},
  };
  const OpenSslCsrParser fast;
  const OpenSslCsrParser full(OpenSslCsrParser::FullDecodeOnly());
  for (const Edge& edge : edges) {
    SCOPED_TRACE(edge.name);
    const std::string text = absl::Base64Escape(BuildRequest(edge));
    const int64_t before = fast.fast_parses();
    auto a = fast.Parse(text);
    auto b = full.Parse(text);
    ASSERT_EQ(a.ok(), b.ok()) << a.status() << " / " << b.status();
    if (!a.ok()) {
      EXPECT_EQ(a.status(), b.status());
      continue;
    }
    EXPECT_EQ(fast.fast_parses() - before, edge.fast ? 1 : 0);
    EXPECT_TRUE(*a == *b) << "fast: " << ::testing::PrintToString(a->problems)
                          << "; full: " << ::testing::PrintToString(b->problems);
    if (edge.problem.empty()) {
      EXPECT_THAT(a->problems, IsEmpty());
    } else {
      EXPECT_THAT(a->problems, ::testing::Contains(HasSubstr(edge.problem)));
    }
  }
}

TEST(OpenSslCsrParser, GarbageIsNotACsr) {
  for (const char* text : {"hello",
                           "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
                           "REQUEST-----\n",
                           ""}) {
    for (bool fast_key_decode : {true, false}) {
      auto csr = OpenSslCsrParser(OpenSslCsrParserOptions{fast_key_decode}).Parse(text);
      EXPECT_EQ(csr.status().code(), absl::StatusCode::kInvalidArgument) << text;
      EXPECT_THAT(csr.status().message(), HasSubstr("csr:"));
    }
  }
}

TEST(OpenSslCsrParser, AcceptsBase64Der) {
  std::string pem = MakeCsr("www.example.com");
  std::string body = pem.substr(pem.find('\n') + 1);
  body = body.substr(0, body.find("-----END"));
  auto csr = OpenSslCsrParser().Parse(body);
  ASSERT_TRUE(csr.ok()) << csr.status();
  EXPECT_EQ(csr->common_name, "www.example.com");
}

}  // namespace
}  // namespace sslpanel::workflow::csr
