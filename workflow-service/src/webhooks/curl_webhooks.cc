#include "workflow-service/src/webhooks/curl_webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/domain/webhook_address.h"

namespace sslpanel::workflow::webhooks {
namespace {

// A response body is read only for the error text: at most this much.
constexpr size_t kMaxBody = 2048;

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct AddrDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

// One URL part, or "" when absent.
std::string Part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) {
    return "";
  }
  std::string out(value);
  curl_free(value);
  return out;
}

absl::Status Invalid(const std::string& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

size_t KeepSome(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  const size_t n = size * count;
  if (body->size() < kMaxBody) {
    body->append(data, std::min(n, kMaxBody - body->size()));
  }
  return n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

absl::StatusOr<ResolvedTarget> ResolveTarget(const std::string& field, const std::string& url,
                                             bool allow_loopback) {
  GlobalInit();
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (parsed == nullptr) {
    return absl::ResourceExhaustedError("no memory for a URL");
  }
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Invalid(field, "not a valid absolute URL");
  }
  if (absl::AsciiStrToLower(Part(parsed.get(), CURLUPART_SCHEME)) != "https") {
    return Invalid(field, "must be an https URL");
  }
  if (!Part(parsed.get(), CURLUPART_USER).empty() ||
      !Part(parsed.get(), CURLUPART_PASSWORD).empty()) {
    return Invalid(field, "must not carry a user name or password");
  }
  ResolvedTarget target;
  target.host = Part(parsed.get(), CURLUPART_HOST);
  if (target.host.size() >= 2 && target.host.front() == '[' && target.host.back() == ']') {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  if (target.host.empty()) {
    return Invalid(field, "has no host");
  }
  const std::string port = Part(parsed.get(), CURLUPART_PORT);
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &target.port) || target.port < 1 || target.port > 65535)) {
    return Invalid(field, "has a bad port");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(target.host.c_str(), nullptr, &hints, &found);
  std::unique_ptr<addrinfo, AddrDeleter> addresses(found);
  if (rc != 0 || found == nullptr) {
    return Invalid(field, absl::StrCat("host \"", target.host, "\" does not resolve (",
                                       gai_strerror(rc), ")"));
  }
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    domain::AddressClass kind;
    if (a->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      domain::Ipv4 bytes;
      std::memcpy(bytes.data(), &in->sin_addr, 4);
      kind = domain::Classify(bytes);
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    } else if (a->ai_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      domain::Ipv6 bytes;
      std::memcpy(bytes.data(), &in6->sin6_addr, 16);
      kind = domain::Classify(bytes);
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    // Every address must pass: a name with one public and one private
    // address would otherwise reach the private one.
    if (absl::Status s = domain::CheckTarget(kind, allow_loopback, field, text); !s.ok()) {
      return s;
    }
    const std::string address(text);
    if (std::find(target.addresses.begin(), target.addresses.end(), address) ==
        target.addresses.end()) {
      target.addresses.push_back(address);
    }
  }
  if (target.addresses.empty()) {
    return Invalid(field, absl::StrCat("host \"", target.host, "\" has no IP address"));
  }
  return target;
}

absl::Status CurlWebhooks::Check(const std::string& field, const std::string& url) {
  return ResolveTarget(field, url, options_.allow_loopback).status();
}

app::WebhookAnswer CurlWebhooks::Post(const app::WebhookPost& post) {
  app::WebhookAnswer answer;
  // Checked again now: the name may point elsewhere than at subscription.
  auto target = ResolveTarget("url", post.url, options_.allow_loopback);
  if (!target.ok()) {
    answer.error = std::string(target.status().message());
    return answer;
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) {
    answer.error = "curl_easy_init failed";
    return answer;
  }
  // "host:port:addr,addr": curl connects only to these (IPv6 in brackets).
  std::vector<std::string> pinned;
  for (const std::string& a : target->addresses) {
    pinned.push_back(a.find(':') != std::string::npos ? absl::StrCat("[", a, "]") : a);
  }
  std::unique_ptr<curl_slist, ListDeleter> resolve(curl_slist_append(
      nullptr,
      absl::StrCat(target->host, ":", target->port, ":", absl::StrJoin(pinned, ",")).c_str()));
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : post.headers) {
    header_list = curl_slist_append(header_list, absl::StrCat(name, ": ", value).c_str());
  }
  // No "Expect: 100-continue" round trip for larger bodies.
  header_list = curl_slist_append(header_list, "Expect:");
  std::unique_ptr<curl_slist, ListDeleter> headers(header_list);
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(post.timeout)));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sslpanel-webhooks/1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepSome);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (!options_.ca_file.empty()) {
    // The extra CA file and the system store both verify.
    curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    answer.error = error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc);
    return answer;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  answer.http_status = static_cast<int>(status);
  if (answer.http_status < 200 || answer.http_status > 299) {
    answer.error =
        absl::StrCat("HTTP ", answer.http_status, body.empty() ? "" : ": ", body.substr(0, 200));
  }
  return answer;
}

}  // namespace sslpanel::workflow::webhooks
