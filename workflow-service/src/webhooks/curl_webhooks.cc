#include "workflow-service/src/webhooks/curl_webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
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

// getaddrinfo has no timeout of its own (a slow resolver can take far longer
// than an attempt may). It runs on its own thread; the caller waits at most
// `limit` and then gives up, leaving the thread to finish and free its result
// alone. That keeps a whole attempt (resolve + connect + answer) within the
// per-attempt timeout, and so well inside the worker's lease (timeout + 30 s):
// a delivery is never POSTed twice at once because a lookup hung.
struct Lookup {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  bool abandoned = false;
  int rc = EAI_AGAIN;
  addrinfo* found = nullptr;
};

// rc, and the addresses on success (owned by the caller); EAI_AGAIN with
// *timed_out set when `limit` passed first.
int BoundedGetAddrInfo(const std::string& host, absl::Duration limit, addrinfo** out,
                       bool* timed_out) {
  *out = nullptr;
  *timed_out = false;
  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
    std::lock_guard<std::mutex> hold(lookup->mu);
    if (lookup->abandoned) {
      if (found != nullptr) freeaddrinfo(found);
      return;
    }
    lookup->rc = rc;
    lookup->found = found;
    lookup->done = true;
    lookup->done_cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> hold(lookup->mu);
  const bool finished = limit == absl::InfiniteDuration()
                            ? (lookup->done_cv.wait(hold, [&] { return lookup->done; }), true)
                            : lookup->done_cv.wait_for(hold, absl::ToChronoMilliseconds(limit),
                                                       [&] { return lookup->done; });
  if (!finished) {
    lookup->abandoned = true;
    *timed_out = true;
    return EAI_AGAIN;
  }
  *out = lookup->found;
  return lookup->rc;
}

// What the open-socket callback needs, and what it found.
struct SocketGuard {
  bool allow_loopback = false;
  std::string refused;  // why the last refused connect was refused
};

// CURLOPT_OPENSOCKETFUNCTION: the last word on where curl connects. Even if
// the CURLOPT_RESOLVE pin were missed (curl looking up another spelling of
// the name), a refused address gets no socket.
curl_socket_t OpenCheckedSocket(void* data, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<SocketGuard*>(data);
  if (purpose != CURLSOCKTYPE_IPCXN) {
    guard->refused = "url: unexpected socket type";
    return CURL_SOCKET_BAD;
  }
  if (absl::Status s = CheckSocketAddress(&address->addr, address->addrlen, guard->allow_loopback);
      !s.ok()) {
    guard->refused = std::string(s.message());
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

}  // namespace

absl::Status CheckSocketAddress(const sockaddr* address, size_t length, bool allow_loopback) {
  char text[INET6_ADDRSTRLEN] = {};
  domain::AddressClass kind;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    domain::Ipv4 bytes;
    std::memcpy(bytes.data(), &in->sin_addr, 4);
    kind = domain::Classify(bytes);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    domain::Ipv6 bytes;
    std::memcpy(bytes.data(), &in6->sin6_addr, 16);
    kind = domain::Classify(bytes);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
  } else {
    return Invalid("url", "connect to a non-IP address refused");
  }
  return domain::CheckTarget(kind, allow_loopback, "url", text);
}

absl::StatusOr<ResolvedTarget> ResolveTarget(const std::string& field, const std::string& url,
                                             bool allow_loopback, absl::Duration resolve_limit) {
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
  // An internationalised name would be looked up here as raw UTF-8 but by
  // libcurl (libidn2) as punycode, missing the CURLOPT_RESOLVE pin: only
  // ASCII names (write an IDN as its xn-- form).
  for (const char ch : target.host) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      return Invalid(field,
                     "host must be ASCII (write an internationalised name in its xn-- form)");
    }
  }
  const std::string port = Part(parsed.get(), CURLUPART_PORT);
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &target.port) || target.port < 1 || target.port > 65535)) {
    return Invalid(field, "has a bad port");
  }
  addrinfo* found = nullptr;
  bool timed_out = false;
  const int rc = BoundedGetAddrInfo(target.host, resolve_limit, &found, &timed_out);
  std::unique_ptr<addrinfo, AddrDeleter> addresses(found);
  if (timed_out) {
    return Invalid(field, absl::StrCat("host \"", target.host, "\" did not resolve within ",
                                       absl::FormatDuration(resolve_limit)));
  }
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
  return ResolveTarget(field, url, options_.allow_loopback, kCheckResolveLimit).status();
}

app::WebhookAnswer CurlWebhooks::Post(const app::WebhookPost& post) {
  app::WebhookAnswer answer;
  // Checked again now: the name may point elsewhere than at subscription.
  // The lookup counts against the attempt's timeout, and curl gets what is
  // left, so resolve + connect + answer stay within post.timeout.
  const absl::Time start = absl::Now();
  auto target = ResolveTarget("url", post.url, options_.allow_loopback, post.timeout);
  const absl::Duration left = post.timeout - (absl::Now() - start);
  if (target.ok() && left < absl::Milliseconds(1)) {
    target = absl::DeadlineExceededError("url: the host name took the whole attempt timeout");
  }
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
  SocketGuard guard{options_.allow_loopback, ""};
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(left)));
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
    if (!guard.refused.empty()) {
      answer.error = guard.refused;
      return answer;
    }
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
