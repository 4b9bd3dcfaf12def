#include "ca-adapter/sectigo-fake/src/core/csr_check.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(SECTIGO_EXAMPLES_DIR) + "/fixtures/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SectigoFakeCsrCheckTest, AcceptsAPemCsrAndReadsItsNames) {
  CsrCheck check = CheckCsr(Fixture("www.example.com.csr.pem"));
  ASSERT_TRUE(check.facts.has_value()) << check.message;
  EXPECT_EQ(check.facts->common_name, "www.example.com");
  EXPECT_EQ(CsrNames(*check.facts), (std::vector<std::string>{"www.example.com", "example.com"}));
  EXPECT_EQ(check.facts->key_type, "EC-P-256");
}

TEST(SectigoFakeCsrCheckTest, PemArmourIsOptional) {
  std::string bare = Fixture("www.example.com.csr.pem");
  bare = absl::StrReplaceAll(bare, {{"-----BEGIN CERTIFICATE REQUEST-----", ""},
                                    {"-----END CERTIFICATE REQUEST-----", ""}});
  CsrCheck armoured = CheckCsr(Fixture("www.example.com.csr.pem"));
  CsrCheck check = CheckCsr(bare);
  ASSERT_TRUE(check.facts.has_value()) << check.message;
  EXPECT_EQ(check.facts->der, armoured.facts->der);
}

TEST(SectigoFakeCsrCheckTest, RefusalsCarryTheCsrCodes) {
  std::string broken = Fixture("www.example.com.csr.pem");
  broken[broken.size() / 2] = broken[broken.size() / 2] == 'A' ? 'B' : 'A';  // inside the body
  struct Case {
    std::string text;
    int code;
  };
  const Case cases[] = {
      {"this is not a CSR", -8},
      {"", -8},
      {"QUJDRA==", -9},  // base64 of "ABCD": not PKCS#10
      {Fixture("weak-rsa1024.csr.pem"), -12},
  };
  for (const Case& c : cases) {
    CsrCheck check = CheckCsr(c.text);
    EXPECT_FALSE(check.facts.has_value()) << c.text;
    EXPECT_EQ(check.code, c.code) << c.text << ": " << check.message;
    EXPECT_FALSE(check.message.empty());
  }
  CsrCheck tampered = CheckCsr(broken);
  EXPECT_FALSE(tampered.facts.has_value());
  EXPECT_LT(tampered.code, -7);
}

}  // namespace
}  // namespace sslpanel::sectigo_fake
