#include "ca-adapter/src/acme/acme_dcv.h"

#include "ca-adapter/src/acme/jose.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::acme {
namespace {

using domain::DcvMethod;

Authorization Authz(const std::string& identifier, bool wildcard,
                    std::vector<std::string> types = {"http-01", "dns-01", "tls-alpn-01"}) {
  Authorization authz;
  authz.identifier = identifier;
  authz.wildcard = wildcard;
  authz.status = "pending";
  for (const std::string& type : types) {
    authz.challenges.push_back({type, "https://ca/chall/" + type, "tok-" + type, "pending", {}});
  }
  return authz;
}

TEST(ChooseChallenge, FollowsTheOrdersChoiceTheDefaultAndTheWildcardRule) {
  const std::vector<domain::DomainValidation> choices = {{"WWW.example.org", DcvMethod::kHttp, ""}};
  EXPECT_EQ(ChooseChallenge(Authz("www.example.org", false), choices, DcvMethod::kDns)->type,
            "http-01");
  EXPECT_EQ(ChooseChallenge(Authz("example.org", false), choices, DcvMethod::kDns)->type, "dns-01");
  EXPECT_EQ(ChooseChallenge(Authz("example.org", false), {}, DcvMethod::kHttp)->type, "http-01");
  // "*.example.org" can only be proven over DNS, whatever was asked.
  EXPECT_EQ(ChooseChallenge(Authz("example.org", true), {{"*.example.org", DcvMethod::kHttp, ""}},
                            DcvMethod::kHttp)
                ->type,
            "dns-01");
  // Not offered: the other of the two; neither: none.
  EXPECT_EQ(ChooseChallenge(Authz("a.org", false, {"dns-01"}), {}, DcvMethod::kHttp)->type,
            "dns-01");
  EXPECT_EQ(ChooseChallenge(Authz("a.org", false, {"tls-alpn-01"}), {}, DcvMethod::kDns), nullptr);
}

TEST(DcvInstructions, CarryWhatTheCustomerMustPublish) {
  const std::string thumbprint = "thumb";
  const auto instructions =
      DcvInstructions({Authz("example.org", true), Authz("www.example.org", false)},
                      {{"www.example.org", DcvMethod::kHttp, ""}}, DcvMethod::kDns, thumbprint);
  ASSERT_EQ(instructions.size(), 2u);
  const domain::DcvInstruction& dns = instructions[0];
  EXPECT_EQ(dns.host_name, "*.example.org");
  EXPECT_EQ(dns.method, DcvMethod::kDns);
  EXPECT_EQ(dns.dns_record_name, "_acme-challenge.example.org");
  EXPECT_EQ(dns.dns_record_type, "TXT");
  EXPECT_EQ(dns.dns_record_value, Dns01TxtValue("tok-dns-01.thumb"));
  EXPECT_EQ(dns.status, "pending");
  const domain::DcvInstruction& http = instructions[1];
  EXPECT_EQ(http.method, DcvMethod::kHttp);
  EXPECT_EQ(http.http_url, "http://www.example.org/.well-known/acme-challenge/tok-http-01");
  EXPECT_EQ(http.http_content, "tok-http-01.thumb");
}

}  // namespace
}  // namespace sslpanel::ca::acme
