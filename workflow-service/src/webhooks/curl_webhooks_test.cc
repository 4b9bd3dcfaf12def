#include "workflow-service/src/webhooks/curl_webhooks.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "gtest/gtest.h"

namespace sslpanel::workflow::webhooks {
namespace {

// IP literals only: nothing here needs a DNS server.
TEST(WebhookTargets, UrlAndAddressTable) {
  struct Row {
    const char* url;
    bool allow_loopback;
    bool ok;
    const char* says;  // part of the error
  };
  const Row rows[] = {
      {"https://93.184.216.34/hook", false, true, ""},
      {"https://93.184.216.34:8443/hook?x=1", false, true, ""},
      {"https://[2606:2800:220:1:248:1893:25c8:1946]/hook", false, true, ""},
      {"http://93.184.216.34/hook", false, false, "https"},
      {"ftp://93.184.216.34/hook", false, false, "https"},
      {"93.184.216.34/hook", false, false, "url:"},
      {"not a url", false, false, "url:"},
      {"https://user:pw@93.184.216.34/", false, false, "user name"},
      {"https://127.0.0.1/hook", false, false, "loopback"},
      {"https://127.0.0.1:9443/hook", true, true, ""},
      {"https://[::1]:9443/hook", true, true, ""},
      {"https://[::1]/hook", false, false, "loopback"},
      {"https://10.1.2.3/hook", true, false, "private"},
      {"https://192.168.0.10/hook", true, false, "private"},
      {"https://172.20.0.1/hook", true, false, "private"},
      {"https://169.254.169.254/latest/meta-data", true, false, "link-local"},
      {"https://100.64.1.1/", true, false, "CGNAT"},
      {"https://0.0.0.0/", true, false, "unspecified"},
      {"https://224.0.0.1/", true, false, "multicast"},
      {"https://[fe80::1]/", true, false, "link-local"},
      {"https://[fd00::1]/", true, false, "private"},
      {"https://[::ffff:127.0.0.1]/", true, false, "IPv4"},
      {"https://[64:ff9b::7f00:1]/", true, false, "IPv4"},
      {"https://2130706433/", true, true, ""},  // 127.0.0.1 as one number: still loopback
      {"https://2130706433/", false, false, "loopback"},
      {"https://0x7f.1/", false, false, "loopback"},
  };
  for (const Row& r : rows) {
    auto target = ResolveTarget("url", r.url, r.allow_loopback);
    EXPECT_EQ(target.ok(), r.ok) << r.url << ": " << target.status();
    if (!r.ok && !target.ok()) {
      EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument) << r.url;
      EXPECT_EQ(target.status().message().substr(0, 4), "url:") << target.status();
      EXPECT_NE(target.status().message().find(r.says), absl::string_view::npos)
          << r.url << ": " << target.status();
    }
  }
}

TEST(WebhookTargets, ResolvesToTheAddressesItChecked) {
  auto target = ResolveTarget("url", "https://[::1]:8443/x", true);
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->host, "::1");
  EXPECT_EQ(target->port, 8443);
  EXPECT_EQ(target->addresses, std::vector<std::string>{"::1"});
}

TEST(WebhookTargets, LocalhostByNameIsLoopback) {
  // /etc/hosts, not DNS: refused without the flag, allowed with it.
  EXPECT_FALSE(ResolveTarget("url", "https://localhost/x", false).ok());
  EXPECT_TRUE(ResolveTarget("url", "https://localhost/x", true).ok());
}

TEST(WebhookTargets, RefusedAddressIsNeverContacted) {
  CurlWebhooks net(TargetOptions{});
  app::WebhookPost post;
  post.url = "https://127.0.0.1:1/hook";
  post.body = "{}";
  const app::WebhookAnswer answer = net.Post(post);
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_NE(answer.error.find("loopback"), std::string::npos) << answer.error;
}

TEST(WebhookTargets, NonAsciiHostIsRefused) {
  // libcurl would look this name up as xn--... and miss the pin: refused
  // before any lookup, for both spellings of the loopback flag.
  for (bool loopback : {false, true}) {
    auto target = ResolveTarget("url", "https://bücher.example/hook", loopback);
    ASSERT_FALSE(target.ok());
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(target.status().message().find("ASCII"), absl::string_view::npos) << target.status();
  }
  CurlWebhooks net(TargetOptions{.allow_loopback = true, .ca_file = ""});
  app::WebhookPost post;
  post.url = "https://löcalhost:1/hook";
  post.body = "{}";
  const app::WebhookAnswer answer = net.Post(post);
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_NE(answer.error.find("ASCII"), std::string::npos) << answer.error;
}

sockaddr_in V4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &a.sin_addr), 1) << text;
  return a;
}

sockaddr_in6 V6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &a.sin6_addr), 1) << text;
  return a;
}

// The open-socket callback's decision: the address curl is about to connect
// to is checked again, whatever name lookup produced it (a missed
// CURLOPT_RESOLVE pin, a rebinding answer).
TEST(WebhookTargets, OpenSocketCheckRefusesWhatResolveWouldRefuse) {
  auto check4 = [](const char* text, bool loopback) {
    sockaddr_in a = V4(text);
    return CheckSocketAddress(reinterpret_cast<const sockaddr*>(&a), sizeof a, loopback);
  };
  auto check6 = [](const char* text, bool loopback) {
    sockaddr_in6 a = V6(text);
    return CheckSocketAddress(reinterpret_cast<const sockaddr*>(&a), sizeof a, loopback);
  };
  EXPECT_TRUE(check4("93.184.216.34", false).ok());
  EXPECT_TRUE(check6("2606:2800:220:1:248:1893:25c8:1946", false).ok());
  EXPECT_TRUE(check4("127.0.0.1", true).ok());
  EXPECT_TRUE(check6("::1", true).ok());
  const absl::Status metadata = check4("169.254.169.254", true);
  EXPECT_EQ(metadata.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(metadata.message().find("link-local"), absl::string_view::npos) << metadata;
  EXPECT_NE(check4("127.0.0.1", false).message().find("loopback"), absl::string_view::npos);
  EXPECT_NE(check4("10.0.0.1", true).message().find("private"), absl::string_view::npos);
  EXPECT_NE(check6("fd00::1", true).message().find("private"), absl::string_view::npos);
  EXPECT_NE(check6("::ffff:169.254.169.254", true).message().find("IPv4"), absl::string_view::npos);
  // Neither IPv4 nor IPv6 (or a short one): refused.
  sockaddr unix_like{};
  unix_like.sa_family = AF_UNIX;
  EXPECT_FALSE(CheckSocketAddress(&unix_like, sizeof unix_like, true).ok());
  sockaddr_in short_one = V4("93.184.216.34");
  EXPECT_FALSE(CheckSocketAddress(reinterpret_cast<const sockaddr*>(&short_one), 4, true).ok());
}

TEST(WebhookTargets, AnAllowedAttemptStillConnects) {
  // The open-socket callback hands curl a socket for an allowed address:
  // nothing listens on port 1, so the error is curl's, not a refusal.
  CurlWebhooks net(TargetOptions{.allow_loopback = true, .ca_file = ""});
  app::WebhookPost post;
  post.url = "https://127.0.0.1:1/hook";
  post.body = "{}";
  post.timeout = absl::Seconds(5);
  const app::WebhookAnswer answer = net.Post(post);
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_FALSE(answer.error.empty());
  EXPECT_EQ(answer.error.find("loopback"), std::string::npos) << answer.error;
}

}  // namespace
}  // namespace sslpanel::workflow::webhooks
