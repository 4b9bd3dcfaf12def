#include "common/http/http.h"

#include "gtest/gtest.h"

namespace sslpanel::http {
namespace {

TEST(HttpServerAndCurlClient, RoundTripHeadersQueryAndBody) {
  auto server = Server::Start("127.0.0.1", 0, [](const ServerRequest& request) {
    Response response;
    response.status = request.path == "/echo" ? 200 : 404;
    response.headers = {{"X-Seen-Key", request.Header("apikey")}};
    response.body = request.method + " " + request.QueryParam("naam") + " " + request.body;
    return response;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = NewCurlClient({});
  Request request;
  request.method = "POST";
  request.url = (*server)->base_url() + "/echo?naam=" + UrlEncode("Test BV & Co");
  request.headers = {{"apikey", "k1"}};
  request.body = "{\"a\":1}";
  auto response = client->Do(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("x-seen-key"), "k1");
  EXPECT_EQ(response->body, "POST Test BV & Co {\"a\":1}");
  EXPECT_EQ((*server)->requests_served(), 1);
}

TEST(CurlClient, RefusedConnectionIsUnavailable) {
  int port;
  {
    auto server = Server::Start("127.0.0.1", 0, [](const ServerRequest&) { return Response{}; });
    ASSERT_TRUE(server.ok());
    port = (*server)->port();
  }
  Request request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  request.timeout = absl::Seconds(2);
  auto response = NewCurlClient({})->Do(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
}

TEST(CurlClient, SlowServerTimesOutAsUnavailable) {
  auto server = Server::Start("127.0.0.1", 0, [](const ServerRequest&) {
    absl::SleepFor(absl::Milliseconds(800));
    return Response{200, {}, "late"};
  });
  ASSERT_TRUE(server.ok());
  Request request;
  request.url = (*server)->base_url() + "/";
  request.timeout = absl::Milliseconds(200);
  auto response = NewCurlClient({})->Do(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
}

TEST(UrlCoding, RoundTrips) {
  EXPECT_EQ(UrlDecode(UrlEncode("a b/ü?&=")), "a b/ü?&=");
  EXPECT_EQ(UrlDecode("a+b%2Fc"), "a b/c");
}

}  // namespace
}  // namespace sslpanel::http
