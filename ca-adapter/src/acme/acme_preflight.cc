#include "ca-adapter/src/acme/acme_preflight.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace sslpanel::ca::acme {
namespace {

// As CAs do (Let's Encrypt follows at most 10).
constexpr int kMaxRedirects = 10;
constexpr size_t kShownBody = 64;

bool IsPublicIpv4(uint32_t address) {
  struct Range {
    uint32_t network;
    int bits;
  };
  // RFC 6890 special-purpose blocks a CA will not connect to.
  static constexpr Range kReserved[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
      {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0A80000, 16}, {0xC6120000, 15},
      {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  for (const Range& range : kReserved) {
    const uint32_t mask = ~uint32_t{0} << (32 - range.bits);
    if ((address & mask) == range.network) {
      return false;
    }
  }
  return true;
}

// Whether a CA would fetch from this address: global unicast only, never
// loopback, private, link-local, documentation or cluster ranges.
bool IsPublicAddress(const std::string& text) {
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return IsPublicIpv4(ntohl(v4.s_addr));
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
    return false;
  }
  const uint8_t* b = v6.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    return IsPublicIpv4(uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 |
                        b[15]);
  }
  const bool global_unicast = (b[0] & 0xE0) == 0x20;              // 2000::/3
  const bool ietf = b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02;  // 2001::/23
  const bool documentation = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8;
  return global_unicast && !ietf && !documentation;
}

bool IsIpLiteral(const std::string& host) {
  in_addr v4;
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || absl::StrContains(host, ':') ||
         absl::StartsWith(host, "[");
}

struct Target {
  std::string scheme;  // http or https
  std::string host;
  int port = 80;
  std::string path;  // with the query, if any

  std::string Authority() const {
    const int default_port = scheme == "https" ? 443 : 80;
    return port == default_port ? host : absl::StrCat(host, ":", port);
  }
  std::string Url() const { return absl::StrCat(scheme, "://", Authority(), path); }
};

// The target of a redirect from `from`, as a CA accepts it: http or https,
// port 80 or 443, a host name (no address, no user info).
absl::StatusOr<Target> Follow(const Target& from, absl::string_view location) {
  location = absl::StripAsciiWhitespace(location);
  Target to = from;
  absl::string_view rest = location;
  if (absl::ConsumePrefix(&rest, "http://")) {
    to.scheme = "http";
  } else if (absl::ConsumePrefix(&rest, "https://")) {
    to.scheme = "https";
  } else if (absl::ConsumePrefix(&rest, "//")) {
    // scheme-relative: keeps the scheme
  } else if (absl::StartsWith(rest, "/")) {
    to.path = std::string(rest);
    return to;
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat(from.Url(), " redirects to an unsupported location \"", location, "\""));
  }
  const size_t end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, end);
  to.path = end == absl::string_view::npos ? "/" : std::string(rest.substr(end));
  if (absl::StartsWith(to.path, "?")) {
    to.path = absl::StrCat("/", to.path);
  }
  to.port = to.scheme == "https" ? 443 : 80;
  if (const size_t colon = authority.rfind(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &to.port)) {
      to.port = -1;
    }
    authority = authority.substr(0, colon);
  }
  to.host = absl::AsciiStrToLower(authority);
  if (to.host.empty() || absl::StrContains(to.host, '@') || IsIpLiteral(to.host)) {
    return absl::FailedPreconditionError(absl::StrCat(from.Url(), " redirects to \"", location,
                                                      "\"; a CA follows only to a host name"));
  }
  if (to.port != 80 && to.port != 443) {
    return absl::FailedPreconditionError(absl::StrCat(from.Url(), " redirects to \"", location,
                                                      "\"; a CA follows only to port 80 or 443"));
  }
  return to;
}

class NetworkPreflight final : public ChallengePreflight {
 public:
  NetworkPreflight(PreflightConfig config, DnsResolver resolver, const Clock& clock)
      : config_(std::move(config)),
        resolver_(std::move(resolver)),
        clock_(clock),
        http_(http::NewCurlClient(
            {.ca_file = "", .user_agent = "sslpanel-ca-adapter-acme/1 (challenge pre-flight)"})) {}

  PreflightResult CheckDns(const std::string& record_name, const std::string& expected,
                           absl::Time deadline) override {
    const absl::Duration left = std::min(config_.timeout, deadline - clock_.Now());
    if (left <= absl::ZeroDuration()) {
      return {false, "out of time before looking"};
    }
    absl::StatusOr<std::vector<std::string>> values = resolver_.Txt(record_name, left);
    if (!values.ok()) {
      return {false, std::string(values.status().message())};
    }
    if (std::find(values->begin(), values->end(), expected) != values->end()) {
      return {true, absl::StrCat("TXT ", record_name, " has the value")};
    }
    if (values->empty()) {
      return {false, absl::StrCat("no TXT record at ", record_name)};
    }
    return {false, absl::StrCat("none of the ", values->size(), " TXT records at ", record_name,
                                " has the expected value")};
  }

  PreflightResult CheckHttp(const std::string& host, const std::string& token,
                            const std::string& expected, absl::Time deadline) override {
    Target target{"http", absl::AsciiStrToLower(host), 80,
                  absl::StrCat("/.well-known/acme-challenge/", token)};
    for (int redirects = 0;; ++redirects) {
      absl::StatusOr<http::Response> response = Fetch(target, deadline);
      if (!response.ok()) {
        return {false, std::string(response.status().message())};
      }
      const int status = response->status;
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        if (redirects == kMaxRedirects) {
          return {false, absl::StrCat(target.Url(), ": more than ", kMaxRedirects, " redirects")};
        }
        absl::StatusOr<Target> next = Follow(target, response->Header("location"));
        if (!next.ok()) {
          return {false, std::string(next.status().message())};
        }
        target = *std::move(next);
        continue;
      }
      if (status != 200) {
        return {false, absl::StrCat(target.Url(), " answered HTTP ", status)};
      }
      // CAs ignore trailing whitespace (an editor's final newline).
      const absl::string_view body = absl::StripTrailingAsciiWhitespace(response->body);
      if (body == expected) {
        return {true, absl::StrCat(target.Url(), " serves the key authorization")};
      }
      return {false, absl::StrCat(
                         target.Url(), " serves \"", absl::CHexEscape(body.substr(0, kShownBody)),
                         body.size() > kShownBody ? "...\"" : "\"", ", not the key authorization")};
    }
  }

 private:
  absl::StatusOr<http::Response> Fetch(const Target& target, absl::Time deadline) {
    http::Request request;
    request.method = "GET";
    request.timeout = std::min(config_.timeout, deadline - clock_.Now());
    if (request.timeout <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(target.Url(), ": out of time"));
    }
    if (!config_.http_address.empty()) {
      request.url = absl::StrCat("http://", config_.http_address, target.path);
      request.headers = {{"Host", target.Authority()}};
      return http_->Do(request);
    }
    absl::StatusOr<std::vector<std::string>> addresses =
        resolver_.Addresses(target.host, request.timeout);
    if (!addresses.ok()) {
      return addresses.status();
    }
    // The first public IPv6 address, then the first IPv4 one, as a CA tries.
    std::vector<std::string> usable;
    for (bool v6 : {true, false}) {
      for (const std::string& address : *addresses) {
        if (absl::StrContains(address, ':') == v6 && IsPublicAddress(address)) {
          usable.push_back(address);
          break;
        }
      }
    }
    if (usable.empty()) {
      return absl::FailedPreconditionError(
          addresses->empty()
              ? absl::StrCat(target.host, " has no address")
              : absl::StrCat(target.host, " has no public address (",
                             absl::StrJoin(*addresses, ", "), "); a CA will not connect there"));
    }
    if (target.scheme == "https") {
      // TLS needs the name in the URL, so curl resolves it again; the check
      // above keeps private targets out unless the name changes meanwhile.
      request.url = target.Url();
      return http_->Do(request);
    }
    // Connect to the address just checked, naming the host in the header.
    request.headers = {{"Host", target.Authority()}};
    absl::Status last;
    for (const std::string& address : usable) {
      request.url = absl::StrCat(
          "http://", absl::StrContains(address, ':') ? absl::StrCat("[", address, "]") : address,
          ":", target.port, target.path);
      absl::StatusOr<http::Response> response = http_->Do(request);
      if (response.ok()) {
        return response;
      }
      last = response.status();
    }
    return last;
  }

  PreflightConfig config_;
  DnsResolver resolver_;
  const Clock& clock_;
  std::unique_ptr<http::Client> http_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ChallengePreflight>> NewNetworkPreflight(
    const PreflightConfig& config, const Clock& clock) {
  absl::StatusOr<DnsResolver> resolver = DnsResolver::Create(config.dns_server);
  if (!resolver.ok()) {
    return resolver.status();
  }
  if (config.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the pre-flight timeout must be positive");
  }
  return std::make_unique<NetworkPreflight>(config, *std::move(resolver), clock);
}

}  // namespace sslpanel::ca::acme
