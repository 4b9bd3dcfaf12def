// The CSR corpus: every way a CSR can be unacceptable, each refused with its
// reason, and good ones read back field by field.
#include "workflow-service/src/csr/openssl_csr_parser.h"

#include <string>
#include <vector>

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
  const OpenSslCsrParser full(/*full_decode_only=*/true);
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

TEST(OpenSslCsrParser, GarbageIsNotACsr) {
  for (const char* text : {"hello",
                           "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
                           "REQUEST-----\n",
                           ""}) {
    for (bool full_decode_only : {false, true}) {
      auto csr = OpenSslCsrParser(full_decode_only).Parse(text);
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
