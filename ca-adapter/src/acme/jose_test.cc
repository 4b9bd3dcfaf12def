// JOSE against the published vectors: RFC 7638's thumbprint example, and
// RFC 7515 appendix A.1 (HS256) and A.3 (ES256).
#include "ca-adapter/src/acme/jose.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::acme {
namespace {

using nlohmann::json;

// RFC 7515 A.1 / A.3: the common payload and the signing inputs.
constexpr char kPayload[] =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
    "fQ";
constexpr char kHs256Header[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
constexpr char kEs256Header[] = "eyJhbGciOiJFUzI1NiJ9";

json Rfc7515Es256Key() {
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
          {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
          {"d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}};
}

TEST(Base64Url, EncodesWithoutPaddingAndRoundTrips) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");  // the URL-safe alphabet
  EXPECT_EQ(Base64UrlEncode("{\"alg\":\"ES256\"}"), kEs256Header);
  EXPECT_EQ(*Base64UrlDecode("Zm8"), "fo");
  EXPECT_EQ(*Base64UrlDecode("Zm8="), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm*8").ok());
}

TEST(JwkThumbprint, MatchesTheRfc7638Example) {
  const json rsa = {
      {"kty", "RSA"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
       "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
       "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdk"
       "t-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
       "kEgU8awapJzKnqDKgw"},
      {"e", "AQAB"},
      {"alg", "RS256"},
      {"kid", "2011-04-29"}};
  auto thumbprint = JwkThumbprint(rsa);
  ASSERT_TRUE(thumbprint.ok()) << thumbprint.status();
  EXPECT_EQ(*thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(JwkThumbprint, UsesOnlyTheRequiredMembers) {
  json jwk = Rfc7515Es256Key();
  const std::string with_private = *JwkThumbprint(jwk);
  jwk.erase("d");
  jwk["kid"] = "ignored";
  EXPECT_EQ(*JwkThumbprint(jwk), with_private);
  EXPECT_FALSE(JwkThumbprint(json{{"kty", "EC"}, {"crv", "P-256"}}).ok());
  EXPECT_FALSE(JwkThumbprint(json{{"kty", "OKP"}}).ok());
}

TEST(HmacSha256, MatchesRfc7515AppendixA1) {
  auto key = Base64UrlDecode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(Base64UrlEncode(HmacSha256(*key, absl::StrCat(kHs256Header, ".", kPayload))),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST(Es256, VerifiesTheRfc7515AppendixA3Signature) {
  const std::string input = absl::StrCat(kEs256Header, ".", kPayload);
  auto signature = Base64UrlDecode(
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(VerifyEs256(Rfc7515Es256Key(), input, *signature));
  std::string tampered = *signature;
  tampered[5] ^= 1;
  EXPECT_FALSE(VerifyEs256(Rfc7515Es256Key(), input, tampered));
  EXPECT_FALSE(VerifyEs256(Rfc7515Es256Key(), input + "x", *signature));
}

TEST(Es256, TheRfcKeyLoadsSignsAndRoundTripsThroughPem) {
  auto key = EcKey::FromJwk(Rfc7515Es256Key());
  ASSERT_TRUE(key.ok()) << key.status();
  const json jwk = key->PublicJwk();
  EXPECT_EQ(jwk, (json{{"crv", "P-256"},
                       {"kty", "EC"},
                       {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                       {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}));
  const std::string input = absl::StrCat(kEs256Header, ".", kPayload);
  auto signature = key->SignEs256(input);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_TRUE(VerifyEs256(jwk, input, *signature));
  auto reloaded = EcKey::FromPem(key->ToPem());
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->PublicJwk(), jwk);
  EXPECT_EQ(reloaded->Thumbprint(), *JwkThumbprint(jwk));
}

TEST(Es256, APrivateKeyThatDoesNotMatchItsPublicPointIsRejected) {
  json jwk = Rfc7515Es256Key();
  jwk["d"] = "jpsQnnGQmL-YBIffH1136cLvcafmSLaQHFsm0PzTQYI";
  EXPECT_EQ(EcKey::FromJwk(jwk).status().code(), absl::StatusCode::kInvalidArgument);
}

// Found by fuzzing (fuzz/jose_fuzzer.cc): FromJwk threw nlohmann's
// type_error for a JWK that is not an object or has a non-string member,
// instead of answering INVALID_ARGUMENT.
TEST(Es256, AnythingButAnEcJwkIsInvalidArgumentNeverAnException) {
  for (const json& jwk :
       {json(2), json::array({"kty", "EC"}), json(nullptr), json{{"kty", 7}, {"crv", "P-256"}},
        json{{"kty", "EC"}, {"crv", {1}}},
        json::parse(R"({"kty": "EC", "crv": "P-256", "x": 1, "y": [], "d": {}})")}) {
    EXPECT_EQ(EcKey::FromJwk(jwk).status().code(), absl::StatusCode::kInvalidArgument) << jwk;
  }
}

TEST(SignJws, ProducesAFlattenedJwsThatVerifies) {
  auto key = EcKey::Generate();
  ASSERT_TRUE(key.ok());
  const json header = {{"alg", "ES256"}, {"nonce", "n1"}, {"url", "https://ca/new-order"}};
  auto jws = SignJws(*key, header, R"({"identifiers":[]})");
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(json::parse(*Base64UrlDecode((*jws)["protected"].get<std::string>())), header);
  EXPECT_TRUE(VerifyEs256(key->PublicJwk(),
                          absl::StrCat((*jws)["protected"].get<std::string>(), ".",
                                       (*jws)["payload"].get<std::string>()),
                          *Base64UrlDecode((*jws)["signature"].get<std::string>())));
  // POST-as-GET: the payload is the empty string, not "{}".
  auto as_get = SignJws(*key, header, "");
  ASSERT_TRUE(as_get.ok());
  EXPECT_EQ((*as_get)["payload"], "");
}

TEST(Challenges, KeyAuthorizationAndDnsValue) {
  // RFC 8555 8.1 / 8.4: token "." thumbprint, and its SHA-256 in base64url.
  EXPECT_EQ(KeyAuthorization("tok", "thumb"), "tok.thumb");
  EXPECT_EQ(Dns01TxtValue("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

}  // namespace
}  // namespace sslpanel::ca::acme
