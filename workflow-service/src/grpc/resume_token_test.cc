#include "workflow-service/src/grpc/resume_token.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::HasSubstr;

const uint64_t kNoFilter = FilterFingerprint(0, "", {});

TEST(ResumeToken, RoundTripsAPosition) {
  for (int64_t position : {int64_t{0}, int64_t{1}, int64_t{42}, int64_t{9007199254740993}}) {
    auto parsed = ParseResumeToken(MakeResumeToken("3f9a0c1d2e4b5a69", position, kNoFilter),
                                   "3f9a0c1d2e4b5a69", kNoFilter);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, position);
  }
}

TEST(ResumeToken, MalformedIsInvalidArgumentOnResumeToken) {
  for (const std::string& bad :
       {std::string("x"), std::string("!!!"), std::string(""), MakeResumeToken("a", -1, kNoFilter),
        MakeResumeToken("", 5, kNoFilter)}) {
    auto parsed = ParseResumeToken(bad, "a", kNoFilter);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("resume_token"));
  }
}

TEST(ResumeToken, AnotherInstallationsTokenIsRefused) {
  auto parsed = ParseResumeToken(MakeResumeToken("00000000000000a1", 7, kNoFilter),
                                 "00000000000000b2", kNoFilter);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("another installation"));
}

TEST(ResumeToken, ATokenForOtherFiltersIsRefused) {
  const uint64_t one_order = FilterFingerprint(7, "", {});
  const std::string token = MakeResumeToken("00000000000000a1", 9, one_order);
  for (uint64_t other : {kNoFilter, FilterFingerprint(8, "", {}), FilterFingerprint(7, "ext-7", {}),
                         FilterFingerprint(7, "", {"CA_ISSUED"})}) {
    auto parsed = ParseResumeToken(token, "00000000000000a1", other);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr("issued for other filters"));
  }
  EXPECT_EQ(*ParseResumeToken(token, "00000000000000a1", FilterFingerprint(7, "", {})), 9);
}

TEST(ResumeToken, TheFingerprintTellsFiltersApartAndIsStable) {
  // Field boundaries matter: no two of these encode alike.
  const std::vector<uint64_t> prints = {
      FilterFingerprint(0, "", {}),
      FilterFingerprint(1, "", {}),
      FilterFingerprint(0, "1", {}),
      FilterFingerprint(0, "", {"1"}),
      FilterFingerprint(0, "", {"CA_ISSUED", "CREATED"}),
      FilterFingerprint(0, "", {"CA_ISSUEDCREATED"}),
      FilterFingerprint(0, "CA_ISSUED", {"CREATED"}),
  };
  for (size_t i = 0; i < prints.size(); ++i) {
    for (size_t j = i + 1; j < prints.size(); ++j) {
      EXPECT_NE(prints[i], prints[j]) << i << " " << j;
    }
  }
  // The same on every replica and build (tokens outlive processes): pinned.
  EXPECT_EQ(FilterFingerprint(0, "", {}), uint64_t{0x3c53fbe44b9bd1b9});
  EXPECT_EQ(FilterFingerprint(42, "ext", {"CREATED"}),
            FilterFingerprint(42, std::string("ext"), std::vector<std::string>{"CREATED"}));
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
