#include "workflow-service/src/grpc/resume_token.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::HasSubstr;

TEST(ResumeToken, RoundTripsAPosition) {
  for (int64_t position : {int64_t{0}, int64_t{1}, int64_t{42}, int64_t{9007199254740993}}) {
    auto parsed =
        ParseResumeToken(MakeResumeToken("3f9a0c1d2e4b5a69", position), "3f9a0c1d2e4b5a69");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, position);
  }
}

TEST(ResumeToken, MalformedIsInvalidArgumentOnResumeToken) {
  for (const std::string& bad : {std::string("x"), std::string("!!!"), std::string(""),
                                 MakeResumeToken("a", -1), MakeResumeToken("", 5)}) {
    auto parsed = ParseResumeToken(bad, "a");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("resume_token"));
  }
}

TEST(ResumeToken, AnotherInstallationsTokenIsRefused) {
  auto parsed = ParseResumeToken(MakeResumeToken("00000000000000a1", 7), "00000000000000b2");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("another installation"));
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
