// API errors to pages: the HTTP status a browser (and a monitoring probe)
// sees for each gRPC code, with the API's message kept for the reader.
#include "console/src/http/console_server.h"

#include "gtest/gtest.h"

namespace sslpanel::console::http {
namespace {

TEST(ErrorPageForTest, TheRightHttpStatusForEachApiError) {
  struct Case {
    absl::Status status;
    int http;
  };
  for (const Case& c : std::vector<Case>{
           {absl::NotFoundError("order 7 not found"), 404},
           {absl::InvalidArgumentError("order_id: not a number"), 400},
           {absl::UnavailableError("connection refused"), 503},
           {absl::DeadlineExceededError("deadline"), 503},
           {absl::PermissionDeniedError("role panel required"), 502},
           {absl::InternalError("internal error"), 502},
       }) {
    const view::ErrorPage page = ErrorPageFor(c.status);
    EXPECT_EQ(page.http_status, c.http) << c.status;
    EXPECT_EQ(page.message, c.status.message());
    EXPECT_FALSE(page.title.empty());
  }
}

TEST(ContentSecurityPolicyTest, AllowsNothingButTheOwnStylesheet) {
  const std::string csp = kContentSecurityPolicy;
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("script-src"), std::string::npos) << "no script at all";
}

}  // namespace
}  // namespace sslpanel::console::http
