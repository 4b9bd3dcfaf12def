// Page tokens round-trip, are bound to their filters, and anything else a
// client sends is INVALID_ARGUMENT on page_token (never a crash: fuzzed too).
#include "workflow-service/src/grpc/page_token.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::grpc_api {
namespace {

using ::testing::HasSubstr;

TEST(PageToken, RoundTripsBoundToItsFilters) {
  const std::string token = MakePageToken(4711, "abc123");
  absl::StatusOr<int64_t> id = ParsePageToken(token, "abc123");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, 4711);
  EXPECT_THAT(ParsePageToken(token, "other").status().message(),
              HasSubstr("page_token: the filters differ"));
}

TEST(PageToken, AnythingElseIsNotOurs) {
  // Not base64url; wrong version; no id; zero, negative and overflowing ids;
  // too many parts.
  for (const char* raw :
       {"v2:1:f", "v1::f", "v1:0:f", "v1:-5:f", "v1:99999999999999999999:f", "v1:1:f:g"}) {
    std::string token;
    absl::WebSafeBase64Escape(raw, &token);
    EXPECT_THAT(ParsePageToken(token, "f").status().message(),
                HasSubstr("page_token: not a token this service issued"))
        << raw;
  }
  EXPECT_EQ(ParsePageToken("%%%", "f").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePageToken("", "f").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sslpanel::workflow::grpc_api
