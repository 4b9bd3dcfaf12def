// The ACME client's error handling against a scripted ACME server on
// loopback: badNonce retried with the nonce the error brought, rateLimited
// mapped to RESOURCE_EXHAUSTED with the server's Retry-After, 5xx retried
// only where repeating is safe, problem documents mapped to codes (only the
// customer's mistakes final, a 404 NOT_FOUND only for an order lookup), and
// wrongly typed members reported, never thrown.
#include "ca-adapter/src/acme/acme_client.h"

#include <atomic>
#include <functional>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::acme {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

http::Response Json(int status, const json& body, http::Headers headers = {}) {
  headers.emplace_back("Content-Type",
                       status >= 400 ? "application/problem+json" : "application/json");
  return http::Response{status, std::move(headers), body.dump()};
}

http::Response ProblemReply(int status, const std::string& type, const std::string& detail,
                            http::Headers headers = {}) {
  return Json(status, {{"type", absl::StrCat(kErrorPrefix, type)}, {"detail", detail}},
              std::move(headers));
}

// A scripted ACME server: the directory and nonces are standard; each test
// scripts what the POSTs answer.
Problem P(std::string type, std::string detail, int http_status) {
  Problem problem;
  problem.type = std::move(type);
  problem.detail = std::move(detail);
  problem.http_status = http_status;
  return problem;
}

class FakeAcme {
 public:
  FakeAcme() {
    auto server = http::Server::Start("127.0.0.1", 0,
                                      [this](const http::ServerRequest& r) { return Handle(r); });
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::string url(const std::string& path) const { return server_->base_url() + path; }

  // Answers POSTs to `path`; gets the request's protected header and payload.
  std::function<http::Response(const std::string& path, const json& header,
                               const std::string& payload)>
      on_post;
  std::atomic<int> posts{0};
  std::mutex mu;
  std::vector<std::string> nonces_seen;  // guarded by mu

 private:
  http::Response Handle(const http::ServerRequest& request) {
    if (request.path == "/dir") {
      return Json(200, {{"newNonce", url("/nonce")},
                        {"newAccount", url("/new-acct")},
                        {"newOrder", url("/new-order")},
                        {"revokeCert", url("/revoke")}});
    }
    const std::string nonce = absl::StrCat("nonce-", ++issued_);
    if (request.path == "/nonce") {
      return http::Response{200, {{"Replay-Nonce", nonce}}, ""};
    }
    ++posts;
    const json jws = json::parse(request.body, nullptr, false);
    const json header = json::parse(*Base64UrlDecode(jws.value("protected", "")), nullptr, false);
    {
      std::lock_guard<std::mutex> lock(mu);
      nonces_seen.push_back(header.value("nonce", ""));
    }
    http::Response response =
        on_post(request.path, header, *Base64UrlDecode(jws.value("payload", "")));
    response.headers.emplace_back("Replay-Nonce", nonce);
    return response;
  }

  std::unique_ptr<http::Server> server_;
  std::atomic<int> issued_{0};
};

class AcmeClientTest : public ::testing::Test {
 protected:
  AcmeClientTest() {
    AcmeClientOptions options;
    options.directory_url = fake_.url("/dir");
    options.retry.initial_backoff = absl::Milliseconds(10);
    options.retry.max_backoff = absl::Milliseconds(50);
    options.retry.max_attempts = 3;
    client_ = std::make_unique<AcmeClient>(*http_, clock_, random_, options);
    account_ = Account{*EcKey::Generate(), fake_.url("/acct/1")};
  }

  absl::Time Deadline() { return clock_.Now() + absl::Seconds(10); }

  FakeAcme fake_;
  SystemClock clock_;
  x509::OpenSslRandom random_;
  std::unique_ptr<http::Client> http_ = http::NewCurlClient({});
  std::unique_ptr<AcmeClient> client_;
  Account account_{*EcKey::Generate(), ""};
};

TEST_F(AcmeClientTest, BadNonceIsRetriedWithTheNonceTheErrorBrought) {
  std::atomic<int> calls{0};
  fake_.on_post = [&](const std::string&, const json&, const std::string&) {
    if (calls++ < 2) {
      return ProblemReply(400, "badNonce", "stale nonce");
    }
    return Json(200, {{"status", "pending"}, {"identifiers", json::array()}});
  };
  auto order = client_->GetOrder(account_, fake_.url("/order/1"), Deadline());
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->status, "pending");
  EXPECT_EQ(client_->bad_nonce_retries(), 2);
  std::lock_guard<std::mutex> lock(fake_.mu);
  ASSERT_EQ(fake_.nonces_seen.size(), 3u);
  // Each retry carries the Replay-Nonce of the badNonce answer before it,
  // never a nonce already used.
  EXPECT_NE(fake_.nonces_seen[0], fake_.nonces_seen[1]);
  EXPECT_NE(fake_.nonces_seen[1], fake_.nonces_seen[2]);
}

TEST_F(AcmeClientTest, EndlessBadNoncesEndAsUnavailable) {
  fake_.on_post = [](const std::string&, const json&, const std::string&) {
    return ProblemReply(400, "badNonce", "stale nonce");
  };
  auto order = client_->GetOrder(account_, fake_.url("/order/1"), Deadline());
  EXPECT_EQ(order.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fake_.posts.load(), 11);  // the first try and ten retries
}

TEST_F(AcmeClientTest, RateLimitedIsResourceExhaustedWithTheServersRetryAfter) {
  fake_.on_post = [](const std::string&, const json&, const std::string&) {
    return ProblemReply(429, "rateLimited", "too many new orders", {{"Retry-After", "42"}});
  };
  auto order = client_->NewOrder(account_, {"example.org"}, Deadline());
  EXPECT_EQ(order.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(order.status().message(), HasSubstr("too many new orders"));
  EXPECT_EQ(domain::RetryAfter(order.status()), absl::Seconds(42));
  EXPECT_EQ(fake_.posts.load(), 1) << "a rate limit is not retried inside the call";
}

TEST_F(AcmeClientTest, ServerErrorsAreRetriedOnlyWhenRepeatingIsSafe) {
  std::atomic<int> calls{0};
  fake_.on_post = [&](const std::string& path, const json&, const std::string&) {
    if (path == "/order/1" && calls++ == 0) {
      return ProblemReply(503, "serverInternal", "try again");
    }
    if (path == "/new-order") {
      return ProblemReply(500, "serverInternal", "oops");
    }
    return Json(200, {{"status", "valid"}});
  };
  auto order = client_->GetOrder(account_, fake_.url("/order/1"), Deadline());
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->status, "valid");
  fake_.posts = 0;
  // newOrder may have created an order before failing: never repeated here.
  auto created = client_->NewOrder(account_, {"example.org"}, Deadline());
  EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fake_.posts.load(), 1);
}

TEST_F(AcmeClientTest, NewOrderSendsDnsIdentifiersSignedWithTheAccountKid) {
  fake_.on_post = [&](const std::string& path, const json& header, const std::string& payload) {
    EXPECT_EQ(header.value("kid", ""), account_.url);
    EXPECT_FALSE(header.contains("jwk"));
    EXPECT_EQ(header.value("url", ""), fake_.url("/new-order"));
    EXPECT_EQ(json::parse(payload),
              (json{{"identifiers", {{{"type", "dns"}, {"value", "a.example.org"}}}}}));
    return Json(201,
                {{"status", "pending"},
                 {"identifiers", {{{"type", "dns"}, {"value", "a.example.org"}}}},
                 {"authorizations", {fake_.url("/authz/1")}},
                 {"finalize", fake_.url("/finalize/1")}},
                {{"Location", fake_.url("/order/7")}});
  };
  auto order = client_->NewOrder(account_, {"a.example.org"}, Deadline());
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->url, fake_.url("/order/7"));
  EXPECT_THAT(order->identifiers, ::testing::ElementsAre("a.example.org"));
  EXPECT_THAT(order->authorizations, ::testing::ElementsAre(fake_.url("/authz/1")));
}

TEST_F(AcmeClientTest, RegistrationEmbedsTheKeyAndBindsTheExternalAccount) {
  const EcKey key = *EcKey::Generate();
  fake_.on_post = [&](const std::string&, const json& header, const std::string& payload) {
    EXPECT_EQ(header["jwk"], key.PublicJwk());
    const json body = json::parse(payload);
    EXPECT_EQ(body["contact"], json::array({"mailto:ops@example.org"}));
    const json eab = body["externalAccountBinding"];
    const json eab_header = json::parse(*Base64UrlDecode(eab["protected"].get<std::string>()));
    EXPECT_EQ(eab_header,
              (json{{"alg", "HS256"}, {"kid", "kid-1"}, {"url", fake_.url("/new-acct")}}));
    EXPECT_EQ(json::parse(*Base64UrlDecode(eab["payload"].get<std::string>())), key.PublicJwk());
    EXPECT_EQ(*Base64UrlDecode(eab["signature"].get<std::string>()),
              HmacSha256("mac-key", absl::StrCat(eab["protected"].get<std::string>(), ".",
                                                 eab["payload"].get<std::string>())));
    return Json(201, {{"status", "valid"}}, {{"Location", fake_.url("/acct/9")}});
  };
  NewAccountRequest request{{"mailto:ops@example.org"}, "kid-1", "mac-key"};
  auto url = client_->RegisterAccount(key, request, Deadline());
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, fake_.url("/acct/9"));
}

TEST(ProblemToStatus, MapsProblemTypesToWhatTheCallerShouldDo) {
  auto code = [](int http, const char* type) {
    return ProblemToStatus(P(type, "d", http), "x", std::nullopt).code();
  };
  EXPECT_EQ(code(400, "badCSR"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(400, "rejectedIdentifier"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(403, "orderNotReady"), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(500, "serverInternal"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code(502, ""), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code(429, ""), absl::StatusCode::kResourceExhausted);
  const absl::Status limited = ProblemToStatus(P("rateLimited", "", 429), "x", std::nullopt);
  EXPECT_EQ(domain::RetryAfter(limited), absl::Seconds(60)) << "a default when none was sent";
  EXPECT_EQ(ProblemType(ProblemToStatus(P("alreadyRevoked", "", 400), "x", std::nullopt)),
            "alreadyRevoked");
}

// The adapter stores INVALID_ARGUMENT, FAILED_PRECONDITION and NOT_FOUND as
// the key's answer for ever: trouble with our account or configuration must
// never map to one of them, or fixing it does not help the keys that met it.
TEST(ProblemToStatus, AccountAndConfigurationProblemsAreRetryable) {
  for (const char* type :
       {"accountDoesNotExist", "unauthorized", "userActionRequired", "externalAccountRequired"}) {
    for (int http : {400, 401, 403}) {
      const absl::Status status = ProblemToStatus(P(type, "d", http), "x", std::nullopt);
      EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << type << " " << http;
      EXPECT_EQ(ProblemType(status), type) << "the type stays readable";
    }
  }
}

TEST(ProblemToStatus, A404IsNotFoundOnlyForAnOrderLookup) {
  const Problem gone = P("malformed", "No order for ID 7", 404);
  EXPECT_EQ(ProblemToStatus(gone, "order", std::nullopt, NotFoundMeans::kGone).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ProblemToStatus(gone, "new order", std::nullopt).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ProblemToStatus(P("", "", 404), "orders list", std::nullopt).code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(AcmeClientTest, A404MeansNoSuchOrderForAnOrderLookupAndCaTroubleElsewhere) {
  fake_.on_post = [](const std::string&, const json&, const std::string&) {
    return ProblemReply(404, "malformed", "nothing here");
  };
  EXPECT_EQ(client_->GetOrder(account_, fake_.url("/order/1"), Deadline()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->NewOrder(account_, {"example.org"}, Deadline()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->GetAccount(account_, Deadline()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->ListOrders(account_, fake_.url("/orders"), Deadline()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->GetAuthorization(account_, fake_.url("/authz/1"), Deadline()).status().code(),
            absl::StatusCode::kUnavailable);
}

// nlohmann's value() throws on a member of another type; a CA answering
// "detail": 42 or "wildcard": "yes" must give an UNAVAILABLE that says so,
// not an exception through the gRPC handler.
TEST_F(AcmeClientTest, WronglyTypedMembersAreUnavailableWithTheMemberNamed) {
  std::mutex mu;
  json answer;
  int answer_status = 200;
  fake_.on_post = [&](const std::string&, const json&, const std::string&) {
    std::lock_guard<std::mutex> lock(mu);
    http::Response response = Json(answer_status, answer);
    if (answer_status >= 400) {
      response.headers = {{"Content-Type", "application/problem+json"}};
    }
    return response;
  };
  auto set = [&](int status, json body) {
    std::lock_guard<std::mutex> lock(mu);
    answer_status = status;
    answer = std::move(body);
  };
  set(400, {{"type", "urn:ietf:params:acme:error:badCSR"}, {"detail", 42}});
  absl::Status problem = client_->GetOrder(account_, fake_.url("/order/1"), Deadline()).status();
  EXPECT_EQ(problem.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(problem.message(), HasSubstr("\"detail\" is number"));
  set(403, {{"type", 7}});
  EXPECT_EQ(client_->NewOrder(account_, {"a.example"}, Deadline()).status().code(),
            absl::StatusCode::kUnavailable);

  set(200, {{"identifier", {{"type", "dns"}, {"value", "a.example"}}},
            {"status", "pending"},
            {"wildcard", "yes"}});
  absl::Status authz =
      client_->GetAuthorization(account_, fake_.url("/authz/1"), Deadline()).status();
  EXPECT_EQ(authz.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(authz.message(), HasSubstr("\"wildcard\" is a string, not a boolean"));
  set(200, {{"status", 1}});
  EXPECT_EQ(client_->GetOrder(account_, fake_.url("/order/1"), Deadline()).status().code(),
            absl::StatusCode::kUnavailable);
  set(200, {{"orders", {"https://ca/order/1", 2}}});
  EXPECT_EQ(client_->ListOrders(account_, fake_.url("/orders"), Deadline()).status().code(),
            absl::StatusCode::kUnavailable)
      << "an orders list read in part would hide an order";

  EXPECT_THAT(DescribeProblem(json{{"detail", json::array()}, {"type", "x"}}),
              HasSubstr("unreadable"));
  EXPECT_EQ(DescribeProblem(json{{"type", "urn:ietf:params:acme:error:caa"}}), "caa");
}

TEST(AcmeDirectory, AWronglyTypedExternalAccountFlagIsUnavailable) {
  auto server = http::Server::Start("127.0.0.1", 0, [](const http::ServerRequest&) {
    return Json(200, {{"newNonce", "http://x/n"},
                      {"newAccount", "http://x/a"},
                      {"newOrder", "http://x/o"},
                      {"meta", {{"externalAccountRequired", "yes"}}}});
  });
  ASSERT_TRUE(server.ok());
  SystemClock clock;
  x509::OpenSslRandom random;
  auto http = http::NewCurlClient({});
  AcmeClientOptions options;
  options.directory_url = (*server)->base_url() + "/dir";
  AcmeClient client(*http, clock, random, options);
  absl::Status status = client.GetDirectory(clock.Now() + absl::Seconds(10)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("externalAccountRequired"));
}

TEST(ParseRetryAfter, ReadsSecondsAndHttpDates) {
  const absl::Time now = absl::FromUnixSeconds(1'445'412'480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:30:00 GMT", now), absl::Minutes(2));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
}

TEST(LinkWithRel, FindsTheNextPage) {
  EXPECT_EQ(
      LinkWithRel({"<https://ca/dir>;rel=\"index\"", "<https://ca/orders?cursor=2>;rel=\"next\""},
                  "next"),
      "https://ca/orders?cursor=2");
  EXPECT_EQ(LinkWithRel({"<https://ca/dir>; rel=index, <https://ca/n>; rel=next"}, "next"),
            "https://ca/n");
  EXPECT_EQ(LinkWithRel({"<https://ca/dir>;rel=\"index\""}, "next"), "");
}

}  // namespace
}  // namespace sslpanel::ca::acme
