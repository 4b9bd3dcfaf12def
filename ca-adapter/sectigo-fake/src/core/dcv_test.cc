// The CSR-hash DCV values against an independent computation (the openssl
// command line over the DER CSR) and against the contract examples'
// dcv_values.json.
#include "ca-adapter/sectigo-fake/src/core/dcv.h"

#include <stdio.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ca-adapter/sectigo-fake/src/core/csr_check.h"
#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake {
namespace {

const std::string kExamples = SECTIGO_EXAMPLES_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `openssl req -in FILE -outform DER | openssl dgst -DIGEST -r`, the hex.
std::string OpensslDigest(const std::string& csr_file, const std::string& digest) {
  const std::string command =
      "openssl req -in '" + csr_file + "' -outform DER | openssl dgst -" + digest + " -r";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  char buffer[256] = {0};
  std::string out = fgets(buffer, sizeof(buffer), pipe) != nullptr ? buffer : "";
  pclose(pipe);
  return out.substr(0, out.find(' '));
}

TEST(SectigoFakeDcvTest, HashesEqualTheOpensslCommandLineOverTheDer) {
  for (const char* name :
       {"www.example.com.csr.pem", "wildcard.example.com.csr.pem", "weak-rsa1024.csr.pem"}) {
    SCOPED_TRACE(name);
    const std::string file = kExamples + "/fixtures/" + name;
    // Weak keys are refused by CheckCsr, so take the DER via openssl here.
    CsrCheck check = CheckCsr(ReadFile(file));
    std::string der;
    if (check.facts.has_value()) {
      der = check.facts->der;
    } else {
      FILE* pipe = popen(("openssl req -in '" + file + "' -outform DER").c_str(), "r");
      char buffer[4096];
      size_t n = 0;
      while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
        der.append(buffer, n);
      }
      pclose(pipe);
    }
    const CsrHashes hashes = HashCsrDer(der);
    EXPECT_EQ(hashes.md5, OpensslDigest(file, "md5"));
    EXPECT_EQ(hashes.sha256, OpensslDigest(file, "sha256"));
  }
}

TEST(SectigoFakeDcvTest, ValuesMatchTheContractExamples) {
  const nlohmann::json want = nlohmann::json::parse(ReadFile(kExamples + "/dcv_values.json"));
  CsrCheck check = CheckCsr(ReadFile(kExamples + "/" + want["csr_file"].get<std::string>()));
  ASSERT_TRUE(check.facts.has_value()) << check.message;
  const CsrHashes hashes = HashCsrDer(check.facts->der);
  EXPECT_EQ(hashes.md5, want["md5"]);
  EXPECT_EQ(hashes.sha256, want["sha256"]);
  const DcvValues values = ComputeDcvValues(hashes, "www.example.com", "u1abc");
  EXPECT_EQ(values.http_path, want["http_path"]);
  const auto& lines = want["http_content_lines"];
  EXPECT_EQ(values.file_content, lines[0].get<std::string>() + "\n" + lines[1].get<std::string>() +
                                     "\n" + lines[2].get<std::string>());
  EXPECT_EQ(values.cname_name, want["cname_name"]);
  EXPECT_EQ(values.cname_target, want["cname_target"]);
}

TEST(SectigoFakeDcvTest, WithoutUniqueValueTheFileHasTwoLinesAndTheTargetNoLabel) {
  const CsrHashes hashes{"00112233445566778899aabbccddeeff", std::string(64, 'a')};
  const DcvValues values = ComputeDcvValues(hashes, "example.com", "");
  EXPECT_EQ(values.file_content, std::string(64, 'a') + "\nsectigo.com");
  EXPECT_EQ(values.cname_target,
            std::string(32, 'a') + "." + std::string(32, 'a') + ".sectigo.com.");
  EXPECT_EQ(values.cname_name, "_00112233445566778899AABBCCDDEEFF.example.com.");
}

TEST(SectigoFakeDcvTest, FileContentComparisonIsTolerantButExact) {
  const CsrHashes hashes{"00", std::string(64, 'b')};
  const std::string sha = std::string(64, 'b');
  struct Case {
    std::string body;
    std::string unique_value;
    bool matches;
  };
  const Case cases[] = {
      {sha + "\nsectigo.com\nabc", "abc", true},
      {sha + "\r\nsectigo.com\r\nabc\r\n", "abc", true},
      {"  " + std::string(64, 'B') + "\nSECTIGO.COM\nABC\n", "abc", true},
      {sha + "\ncomodoca.com\nabc", "abc", true},  // older guides [U]
      {sha + "\nsectigo.com", "", true},
      {sha + "\nsectigo.com", "abc", false},       // uniqueValue missing
      {sha + "\nsectigo.com\nabd", "abc", false},  // wrong uniqueValue
      {sha + "\nexample.com\nabc", "abc", false},  // wrong brand
      {std::string(64, 'c') + "\nsectigo.com", "", false},
      {sha + "\nsectigo.com\nabc\nmore", "abc", false},
      {"", "", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FileContentMatches(c.body, hashes, c.unique_value), c.matches) << c.body;
  }
}

TEST(SectigoFakeDcvTest, CnameTargetComparison) {
  const CsrHashes hashes{"00", std::string(32, 'a') + std::string(32, 'b')};
  const std::string base = std::string(32, 'a') + "." + std::string(32, 'b') + ".";
  EXPECT_TRUE(CnameTargetMatches(base + "u1.sectigo.com.", hashes, "u1"));
  EXPECT_TRUE(CnameTargetMatches(base + "U1.Sectigo.com", hashes, "u1"));
  EXPECT_TRUE(CnameTargetMatches(base + "comodoca.com", hashes, ""));
  EXPECT_FALSE(CnameTargetMatches(base + "sectigo.com", hashes, "u1"));
  EXPECT_FALSE(CnameTargetMatches(base + "u2.sectigo.com", hashes, "u1"));
}

TEST(SectigoFakeDcvTest, AuthDomainsAndApprovers) {
  EXPECT_EQ(AuthDomains("a.b.example.com"),
            (std::vector<std::string>{"a.b.example.com", "b.example.com", "example.com"}));
  EXPECT_EQ(AuthDomains("*.Example.com"), (std::vector<std::string>{"example.com"}));
  EXPECT_TRUE(IsApproverFor("admin@example.com", "www.example.com"));
  EXPECT_TRUE(IsApproverFor("Hostmaster@www.example.com", "www.example.com"));
  EXPECT_FALSE(IsApproverFor("admin@www.example.com", "example.com"));
  EXPECT_FALSE(IsApproverFor("ceo@example.com", "www.example.com"));
  EXPECT_FALSE(IsApproverFor("admin@com", "example.com"));
}

TEST(SectigoFakeDcvTest, UniqueValueRules) {
  EXPECT_TRUE(IsValidUniqueValue("u1abc"));
  EXPECT_TRUE(IsValidUniqueValue("ABC123"));  // the contract says alphanumeric
  EXPECT_TRUE(IsValidUniqueValue(std::string(20, 'a')));
  EXPECT_FALSE(IsValidUniqueValue(std::string(21, 'a')));
  EXPECT_FALSE(IsValidUniqueValue(""));
  EXPECT_FALSE(IsValidUniqueValue("a-b"));
  EXPECT_FALSE(IsValidUniqueValue("a_b"));
}

TEST(SectigoFakeDcvTest, MethodNames) {
  for (const char* name : {"EMAIL", "HTTP_CSR_HASH", "HTTPS_CSR_HASH", "CNAME_CSR_HASH"}) {
    ASSERT_TRUE(ParseDcvMethod(name).has_value()) << name;
    EXPECT_STREQ(DcvMethodName(*ParseDcvMethod(name)), name);
  }
  EXPECT_FALSE(ParseDcvMethod("FAX").has_value());
  EXPECT_FALSE(ParseDcvMethod("email").has_value());
}

}  // namespace
}  // namespace sslpanel::sectigo_fake
