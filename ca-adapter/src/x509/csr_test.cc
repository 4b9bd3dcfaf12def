// The key rules a CA adapter applies before it submits an order, with real
// CSRs: each refused key is INVALID_ARGUMENT on the "csr" field naming the
// rule, and keys on the good side of each rule pass.
#include "ca-adapter/src/x509/csr.h"

#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::x509 {
namespace {

using sslpanel::testing::CsrSpec;
using sslpanel::testing::MakeCsr;
using ::testing::HasSubstr;
using ::testing::StartsWith;

CsrSpec Rsa(int bits, unsigned long exponent, unsigned long swapped_in = 0) {
  CsrSpec spec;
  spec.key = CsrSpec::Key::kRsa;
  spec.rsa_bits = bits;
  spec.rsa_exponent = exponent;
  spec.swap_in_rsa_exponent = swapped_in;
  return spec;
}

CsrSpec Ec(const char* curve) {
  CsrSpec spec;
  spec.curve = curve;
  return spec;
}

TEST(ParseCsr, KeyRules) {
  struct Case {
    const char* name;
    CsrSpec spec;
    const char* refusal;  // nullptr: accepted
    const char* key_type;
  };
  const Case cases[] = {
      {"RSA e=3", Rsa(2048, 3),
       "csr: RSA public exponent 3 is not accepted; it must be odd and at least 65537", ""},
      {"RSA e=65535", Rsa(2048, 65535), "csr: RSA public exponent 65535 is not accepted", ""},
      // An even exponent cannot come from a real key: swapped in after signing,
      // and refused by the key rule before the signature check.
      {"RSA e=65538", Rsa(2048, 65537, 65538), "csr: RSA public exponent 65538 is not accepted",
       ""},
      {"RSA 1024 bits", Rsa(1024, 65537), "csr: RSA key of 1024 bits", ""},
      {"RSA e=65537", Rsa(2048, 65537), nullptr, "RSA-2048"},
      {"RSA e=65539", Rsa(2048, 65539), nullptr, "RSA-2048"},
      {"EC P-256", Ec("prime256v1"), nullptr, "EC-P-256"},
      {"EC P-224", Ec("secp224r1"), "csr: EC curve secp224r1", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<CsrInfo> csr = ParseCsr(MakeCsr(c.spec));
    if (c.refusal == nullptr) {
      ASSERT_TRUE(csr.ok()) << csr.status();
      EXPECT_EQ(csr->key_type, c.key_type);
    } else {
      EXPECT_EQ(csr.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(csr.status().message()), StartsWith(c.refusal));
    }
  }
}

TEST(ParseCsr, BrokenSignatureAndGarbageAreRefused) {
  CsrSpec corrupted;
  corrupted.corrupt_signature = true;
  EXPECT_THAT(ParseCsr(MakeCsr(corrupted)).status().message(), HasSubstr("does not verify"));
  EXPECT_THAT(std::string(ParseCsr("hello").status().message()), StartsWith("csr: cannot parse"));
}

}  // namespace
}  // namespace sslpanel::ca::x509
