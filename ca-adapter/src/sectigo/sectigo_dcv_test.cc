#include "ca-adapter/src/sectigo/sectigo_dcv.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/src/sectigo/sectigo_forms.h"
#include "common/testing/csr.h"
#include "common/testing/subprocess.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sectigo {
namespace {

using domain::DcvMethod;

// `openssl req -outform DER | openssl dgst -<digest>`, independently of our code.
std::string OpensslDigest(const std::string& csr_pem, const std::string& digest) {
  const std::string dir = sslpanel::testing::MakeTempDir("sectigo-dcv");
  const std::string path = dir + "/csr.pem";
  std::ofstream(path) << csr_pem;
  const std::string command =
      absl::StrCat("openssl req -in ", path, " -outform DER | openssl dgst -", digest, " -r");
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  char buffer[256] = {0};
  std::string out;
  while (pipe != nullptr && fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    out += buffer;
  }
  if (pipe != nullptr) {
    pclose(pipe);
  }
  return out.substr(0, out.find(' '));
}

TEST(HashCsr, EqualsOpensslOverTheDer) {
  for (const std::string& csr :
       {sslpanel::testing::MakeCsr("www.example.nl", {"www.example.nl", "example.nl"}),
        sslpanel::testing::MakeCsr(
            sslpanel::testing::CsrSpec{sslpanel::testing::CsrSpec::Key::kRsa, 2048})}) {
    absl::StatusOr<CsrHashes> hashes = HashCsr(csr);
    ASSERT_TRUE(hashes.ok()) << hashes.status();
    EXPECT_EQ(hashes->md5, OpensslDigest(csr, "md5"));
    EXPECT_EQ(hashes->sha256, OpensslDigest(csr, "sha256"));
    EXPECT_EQ(hashes->md5.size(), 32u);
    EXPECT_EQ(hashes->sha256.size(), 64u);
  }
  EXPECT_FALSE(HashCsr("not a csr").ok());
}

TEST(CsrHashInstruction, HttpFileDnsCnameAndEmail) {
  const CsrHashes hashes{"0123456789abcdef0123456789abcdef",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"};
  domain::DcvInstruction http =
      CsrHashInstruction("www.example.nl", DcvMethod::kHttp, hashes, "uv123", "");
  EXPECT_EQ(
      http.http_url,
      "http://www.example.nl/.well-known/pki-validation/0123456789ABCDEF0123456789ABCDEF.txt");
  EXPECT_EQ(http.http_content,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nsectigo.com\nuv123");
  domain::DcvInstruction https =
      CsrHashInstruction("www.example.nl", DcvMethod::kHttps, hashes, "uv123", "");
  EXPECT_EQ(https.http_url.rfind("https://www.example.nl/.well-known/pki-validation/", 0), 0u);
  domain::DcvInstruction dns =
      CsrHashInstruction("*.example.nl", DcvMethod::kDns, hashes, "uv123", "");
  EXPECT_EQ(dns.dns_record_name, "_0123456789ABCDEF0123456789ABCDEF.example.nl");
  EXPECT_EQ(dns.dns_record_type, "CNAME");
  EXPECT_EQ(dns.dns_record_value,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.uv123.sectigo.com");
  domain::DcvInstruction no_unique = CsrHashInstruction("a.nl", DcvMethod::kDns, hashes, "", "");
  EXPECT_EQ(no_unique.dns_record_value,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.sectigo.com");
  domain::DcvInstruction email =
      CsrHashInstruction("a.nl", DcvMethod::kEmail, hashes, "", "admin@a.nl");
  EXPECT_EQ(email.approver_email, "admin@a.nl");
  EXPECT_EQ(email.status, "pending");
}

TEST(CsrHashInstructions, FollowTheChoicePerNameAndTheDefault) {
  const CsrHashes hashes{std::string(32, '1'), std::string(64, '2')};
  std::vector<domain::DcvInstruction> all =
      CsrHashInstructions({"a.nl", "www.a.nl"}, {{"WWW.a.nl", DcvMethod::kEmail, "admin@a.nl"}},
                          DcvMethod::kHttp, hashes, "u");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].method, DcvMethod::kHttp);
  EXPECT_EQ(all[1].method, DcvMethod::kEmail);
  EXPECT_EQ(all[1].approver_email, "admin@a.nl");
}

TEST(UniqueValueFor, TwentyLowerCaseDnsCharactersStablePerKey) {
  const std::string value = UniqueValueFor("order-42/submit");
  EXPECT_EQ(value.size(), 20u);
  for (char c : value) {
    EXPECT_TRUE(absl::ascii_islower(c) || absl::ascii_isdigit(c)) << value;
  }
  EXPECT_EQ(value, UniqueValueFor("order-42/submit"));
  EXPECT_NE(value, UniqueValueFor("order-42/submit2"));
  EXPECT_EQ(ForeignOrderNumberFor("order-42/submit"), "sslpanel-" + value);
}

TEST(Forms, ApplyCarriesProductTermDcvOrganisationAndOurReferences) {
  ApplyInput input;
  input.product_code = "7";
  input.period_months = 12;
  input.csr_pem = "CSR";
  input.names = {"www.example.nl", "example.nl"};
  input.domain_validations = {{"www.example.nl", DcvMethod::kEmail, "admin@example.nl"}};
  input.organization = domain::Organization{
      "Test BV", "68750110", "Hoofdstraat 1", "1234AB", "Amsterdam", "nl", "+31"};
  input.unique_value = "u";
  input.foreign_order_number = "sslpanel-u";
  const Form form = ApplyForm(input);
  auto get = [&form](const std::string& name) {
    for (const auto& [key, value] : form) {
      if (key == name) {
        return value;
      }
    }
    return std::string("<absent>");
  };
  EXPECT_EQ(get("product"), "7");
  EXPECT_EQ(get("days"), "365");
  EXPECT_EQ(get("serverSoftware"), "-1");
  EXPECT_EQ(get("dcvMethod"), "EMAIL");
  EXPECT_EQ(get("dcvEmailAddress"), "admin@example.nl");
  EXPECT_EQ(get("domainNames"), "www.example.nl,example.nl");
  EXPECT_EQ(get("organizationName"), "Test BV");
  EXPECT_EQ(get("countryName"), "NL");
  EXPECT_EQ(get("uniqueValue"), "u");
  EXPECT_EQ(get("foreignOrderNumber"), "sslpanel-u");
  EXPECT_EQ(get("checkFONIsUnique"), "Y");
  EXPECT_EQ(get("test"), "<absent>");
  EXPECT_EQ(OrganizationFields(form).size(), 5u);
  EXPECT_EQ(DaysForPeriod(24), 730);
  EXPECT_EQ(DaysForPeriod(3), 90);
  EXPECT_EQ(CodeReason(domain::RevocationReason::kSuperseded), 4);
}

TEST(CheckOrganization, RefusesWhatTheCaWouldCutOrRefuseNamingTheField) {
  domain::Organization org{
      "Test BV Donald", "68750110", "Hoofdstraat 1", "1234AB", "Amsterdam", "nl", "+31"};
  EXPECT_TRUE(CheckOrganization(org).ok());
  // 64 characters of two bytes each fit: the limit counts characters.
  org.legal_name.clear();
  for (int i = 0; i < 64; ++i) {
    org.legal_name += "\xC3\xA9";  // é
  }
  EXPECT_TRUE(CheckOrganization(org).ok());
  org.legal_name += "x";
  absl::Status status = CheckOrganization(org);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "organization.legal_name: 65 characters; Sectigo accepts at most 64 "
            "(organizationName)");
  org.legal_name = "Test BV";
  org.postcode = std::string(41, '1');
  EXPECT_NE(CheckOrganization(org).message().find("organization.postcode"), std::string::npos);
  org.postcode = "1234AB";
  org.country_code = "NLD";
  status = CheckOrganization(org);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("organization.country_code"), std::string::npos);
}

TEST(CheckDcvChoices, AWildcardCannotBeValidatedByAFileAndFallsBackToDnsByDefault) {
  EXPECT_TRUE(CheckDcvChoices(
                  {{"www.example.nl", DcvMethod::kHttp, ""}, {"*.example.nl", DcvMethod::kDns, ""}})
                  .ok());
  const absl::Status status = CheckDcvChoices(
      {{"www.example.nl", DcvMethod::kDns, ""}, {"*.example.nl", DcvMethod::kHttps, ""}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("domain_validations[1]: *.example.nl is a wildcard name", 0),
            0u);
  EXPECT_EQ(ChoiceFor("*.example.nl", {}, DcvMethod::kHttp).method, DcvMethod::kDns);
  EXPECT_EQ(ChoiceFor("www.example.nl", {}, DcvMethod::kHttp).method, DcvMethod::kHttp);
}

}  // namespace
}  // namespace sslpanel::ca::sectigo
