// The challenge pre-flight against a scripted DNS server and a loopback HTTP
// server: a dns-01 or http-01 challenge counts as published only when the
// exact value is there, and nothing but loopback is ever contacted (the
// names resolve through the fake DNS server, the HTTP fetches go to
// 127.0.0.1 by the test-only address override).
#include "ca-adapter/src/acme/acme_preflight.h"

#include <atomic>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ca-adapter/src/testing/fake_dns.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::acme {
namespace {

using ::testing::HasSubstr;

constexpr char kRecord[] = "_acme-challenge.www.preflight.test";

class AcmePreflightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dns = testing::FakeDns::Start();
    ASSERT_TRUE(dns.ok()) << dns.status();
    dns_ = *std::move(dns);
  }

  std::unique_ptr<ChallengePreflight> Preflight(const std::string& http_address = "") {
    PreflightConfig config;
    config.dns_server = dns_->address();
    config.http_address = http_address;
    config.timeout = absl::Seconds(2);
    auto preflight = NewNetworkPreflight(config, clock_);
    EXPECT_TRUE(preflight.ok()) << preflight.status();
    return preflight.ok() ? *std::move(preflight) : nullptr;
  }

  absl::Time Deadline() const { return clock_.Now() + absl::Seconds(10); }

  SystemClock clock_;
  std::unique_ptr<testing::FakeDns> dns_;
};

TEST_F(AcmePreflightTest, ATxtRecordCountsOnlyWithTheExpectedValue) {
  auto preflight = Preflight();
  PreflightResult missing = preflight->CheckDns(kRecord, "expected-value", Deadline());
  EXPECT_FALSE(missing.ready);
  EXPECT_THAT(missing.detail, HasSubstr("no TXT record"));
  EXPECT_GT(dns_->queries(), 0) << "the configured server was asked";

  dns_->SetTxt(kRecord, {"an-old-value"});
  PreflightResult stale = preflight->CheckDns(kRecord, "expected-value", Deadline());
  EXPECT_FALSE(stale.ready);
  EXPECT_THAT(stale.detail, HasSubstr("none of the 1 TXT records"));

  // Several records (an old one left beside it), names compared without case.
  dns_->SetTxt(kRecord, {"an-old-value", "expected-value"});
  EXPECT_TRUE(
      preflight->CheckDns("_ACME-challenge.WWW.preflight.test", "expected-value", Deadline())
          .ready);
}

TEST_F(AcmePreflightTest, ALongTxtValueSplitIntoStringsIsJoined) {
  const std::string value(300, 'v');  // two <character-string>s: 255 + 45
  dns_->SetTxt(kRecord, {value});
  EXPECT_TRUE(Preflight()->CheckDns(kRecord, value, Deadline()).ready);
}

TEST_F(AcmePreflightTest, AResolverThatDoesNotAnswerIsNotReadyWithinTheTimeout) {
  PreflightConfig config;
  // A UDP port nobody serves: the query goes unanswered (or is refused).
  auto port = sslpanel::testing::PickFreePort();
  ASSERT_TRUE(port.ok());
  config.dns_server = absl::StrCat("127.0.0.1:", *port);
  config.timeout = absl::Seconds(1);
  auto preflight = NewNetworkPreflight(config, clock_);
  ASSERT_TRUE(preflight.ok());
  const absl::Time start = absl::Now();
  PreflightResult result = (*preflight)->CheckDns(kRecord, "v", Deadline());
  EXPECT_FALSE(result.ready);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(AcmePreflightTest, AnHttpFileCountsOnlyWhenItServesTheKeyAuthorization) {
  std::mutex mu;
  int status = 404;
  std::string body = "not found";
  std::vector<std::string> hosts;
  auto server = http::Server::Start("127.0.0.1", 0, [&](const http::ServerRequest& request) {
    std::lock_guard<std::mutex> lock(mu);
    hosts.push_back(request.Header("host"));
    if (request.path == "/.well-known/acme-challenge/tok-1") {
      return http::Response{status, {}, body};
    }
    if (request.path == "/moved") {
      return http::Response{200, {}, "tok-1.thumb"};
    }
    return http::Response{404, {}, ""};
  });
  ASSERT_TRUE(server.ok());
  auto preflight = Preflight(absl::StrCat("127.0.0.1:", (*server)->port()));

  PreflightResult absent =
      preflight->CheckHttp("www.preflight.test", "tok-1", "tok-1.thumb", Deadline());
  EXPECT_FALSE(absent.ready);
  EXPECT_THAT(absent.detail, HasSubstr("HTTP 404"));
  {
    std::lock_guard<std::mutex> lock(mu);
    status = 200;
    body = "something else";
  }
  PreflightResult wrong =
      preflight->CheckHttp("www.preflight.test", "tok-1", "tok-1.thumb", Deadline());
  EXPECT_FALSE(wrong.ready);
  EXPECT_THAT(wrong.detail, HasSubstr("something else"));
  {
    std::lock_guard<std::mutex> lock(mu);
    body = "tok-1.thumb\r\n";  // trailing whitespace is ignored, as CAs do
  }
  EXPECT_TRUE(preflight->CheckHttp("www.preflight.test", "tok-1", "tok-1.thumb", Deadline()).ready);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_THAT(hosts, ::testing::Each(std::string("www.preflight.test")));
    // A redirect is followed to the host it names, as a CA follows it.
    status = 302;
    body = "";
  }
  auto redirecting = http::Server::Start("127.0.0.1", 0, [&](const http::ServerRequest& r) {
    if (r.Header("host") == "www.preflight.test") {
      return http::Response{301, {{"Location", "http://cdn.preflight.test/moved"}}, ""};
    }
    return http::Response{
        r.path == "/moved" && r.Header("host") == "cdn.preflight.test" ? 200 : 404,
        {},
        "tok-1.thumb"};
  });
  ASSERT_TRUE(redirecting.ok());
  EXPECT_TRUE(Preflight(absl::StrCat("127.0.0.1:", (*redirecting)->port()))
                  ->CheckHttp("www.preflight.test", "tok-1", "tok-1.thumb", Deadline())
                  .ready);
}

TEST_F(AcmePreflightTest, AnHttpFileOnANonPublicAddressIsNeverFetched) {
  // Without the test override the name's own addresses count, and a CA
  // connects to public ones only: no request to loopback or private ranges.
  dns_->SetA("www.preflight.test", {"127.0.0.1", "10.1.2.3"});
  PreflightResult result =
      Preflight()->CheckHttp("www.preflight.test", "tok-1", "tok-1.thumb", Deadline());
  EXPECT_FALSE(result.ready);
  EXPECT_THAT(result.detail, HasSubstr("no public address (127.0.0.1, 10.1.2.3)"));
  PreflightResult unknown =
      Preflight()->CheckHttp("nx.preflight.test", "tok-1", "tok-1.thumb", Deadline());
  EXPECT_FALSE(unknown.ready);
  EXPECT_THAT(unknown.detail, HasSubstr("has no address"));
}

TEST(AcmePreflightConfig, TheDnsServerMustBeAnIpv4AddressAndPort) {
  SystemClock clock;
  for (const char* bad : {"dns.example", "127.0.0.1:0", "127.0.0.1:x", "::1"}) {
    PreflightConfig config;
    config.dns_server = bad;
    EXPECT_EQ(NewNetworkPreflight(config, clock).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  PreflightConfig config;
  config.dns_server = "192.0.2.53";
  EXPECT_TRUE(NewNetworkPreflight(config, clock).ok());
}

}  // namespace
}  // namespace sslpanel::ca::acme
