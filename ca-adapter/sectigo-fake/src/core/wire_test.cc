#include "ca-adapter/sectigo-fake/src/core/wire.h"

#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake {
namespace {

TEST(SectigoFakeWireTest, FormParsingDecodesAndMatchesNamesInAnyCase) {
  Params params = Params::FromForm("loginName=a%40b&CSR=x+y%2Bz&empty=&flag=y");
  EXPECT_EQ(params.GetOr("loginname"), "a@b");
  EXPECT_EQ(params.GetOr("csr"), "x y+z");
  EXPECT_TRUE(params.Has("EMPTY"));
  EXPECT_EQ(params.GetOr("empty", "fallback"), "");
  EXPECT_TRUE(params.Flag("flag"));
  EXPECT_FALSE(params.Has("missing"));
}

TEST(SectigoFakeWireTest, UnknownParametersAreFoundWithPrefixes) {
  Params params = Params::FromForm("loginName=a&appRepForename=b&colour=c");
  EXPECT_EQ(params.FirstUnknown({"loginname", "apprep*"}), "colour");
  EXPECT_EQ(params.FirstUnknown({"loginname", "apprep*", "colour"}), std::nullopt);
}

TEST(SectigoFakeWireTest, RedactionDropsThePassword) {
  Params params = Params::FromForm("loginName=a&LoginPassword=secret&x=1");
  for (const auto& [name, value] : params.Redacted()) {
    EXPECT_NE(value, "secret");
  }
  EXPECT_EQ(params.Redacted().size(), 2u);
}

TEST(SectigoFakeWireTest, ErrorsInBothFormats) {
  // The contract's own example.
  EXPECT_EQ(Encode(ErrorReply(-3, MissingArgument("x"), Format::kUrlEncoded)),
            "errorCode=-3&errorMessage=The+%27x%27+argument+is+missing%21");
  EXPECT_EQ(Encode(ErrorReply(-3, MissingArgument("x"), Format::kNewline)),
            "-3\nThe 'x' argument is missing!\n");
  EXPECT_EQ(Encode(ErrorReply(-16, "Permission denied!", Format::kTab)),
            "-16\nPermission denied!\n");
}

TEST(SectigoFakeWireTest, NewlineRepliesPrintValuesAndMultiLineValuesStayWhole) {
  Reply reply;
  reply.code = 2;
  reply.Add("certificate", "-----BEGIN X-----\nAAAA\n-----END X-----\n").Add("other", "b");
  EXPECT_EQ(Encode(reply), "2\n-----BEGIN X-----\nAAAA\n-----END X-----\nb\n");
}

TEST(SectigoFakeWireTest, UrlEncodedRepeatsKeys) {
  Reply reply;
  reply.code = 2;
  reply.format = Format::kUrlEncoded;
  reply.Add("caCertificate", "a+b/c=").Add("caCertificate", "d");
  EXPECT_EQ(Encode(reply), "errorCode=2&caCertificate=a%2Bb%2Fc%3D&caCertificate=d");
}

TEST(SectigoFakeWireTest, TabReplies) {
  Reply reply;
  reply.format = Format::kTab;
  reply.Add("domain_name", "example.com").Add("level2_email", "admin@example.com");
  EXPECT_EQ(Encode(reply), "0\ndomain_name\texample.com\nlevel2_email\tadmin@example.com\n");
}

TEST(SectigoFakeWireTest, FormEncodingRoundTrips) {
  const std::string text = "a b+c&d=e%f/g\n\x01";
  EXPECT_EQ(FormDecode(FormEncode(text)), text);
  EXPECT_EQ(FormDecode("%zz%4"), "%zz%4");  // malformed escapes pass through
}

}  // namespace
}  // namespace sslpanel::sectigo_fake
