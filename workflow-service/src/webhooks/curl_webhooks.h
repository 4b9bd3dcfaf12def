// Where webhooks go, with libcurl: the target check (libcurl's URL parser,
// getaddrinfo, domain::Classify on every address) and the POST itself,
// pinned with CURLOPT_RESOLVE to the addresses just checked, so a name that
// re-resolves elsewhere between check and connect (DNS rebinding) cannot
// redirect it. No redirects, no proxies, https only. Besides the pin, a
// CURLOPT_OPENSOCKETFUNCTION checks the very address curl connects to with
// the same rules, so a missed pin cannot reach a refused address either;
// hosts must be ASCII (an IDN in its xn-- form), since curl would look up
// the punycode form of a UTF-8 name and miss the pin.
#pragma once

#include <string>
#include <vector>

#include <sys/socket.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow-service/src/app/webhook_ports.h"

namespace sslpanel::workflow::webhooks {

struct TargetOptions {
  bool allow_loopback = false;  // --webhook_allow_loopback (local runs, tests)
  std::string ca_file;          // --webhook_ca_file: trusted besides the system store
};

// A URL's host and port with the addresses it resolved to, all allowed.
struct ResolvedTarget {
  std::string host;  // as in the URL, without IPv6 brackets
  int port = 443;
  std::vector<std::string> addresses;  // numeric, e.g. "93.184.216.34", "2001:db8::1"
};

// Parses `url` (https only, no user info) and resolves its host; every
// address must be public (or loopback when allowed). INVALID_ARGUMENT
// naming `field` otherwise, or when the name does not resolve.
// The lookup is abandoned (INVALID_ARGUMENT, "did not resolve within")
// after `resolve_limit`.
absl::StatusOr<ResolvedTarget> ResolveTarget(
    const std::string& field, const std::string& url, bool allow_loopback,
    absl::Duration resolve_limit = absl::InfiniteDuration());

// How long Check (at subscription time) waits for a name to resolve.
inline constexpr absl::Duration kCheckResolveLimit = absl::Seconds(10);

// The decision of the open-socket callback: OK when curl may connect to
// `address` (public, or loopback when allowed), else INVALID_ARGUMENT.
absl::Status CheckSocketAddress(const sockaddr* address, size_t length, bool allow_loopback);

class CurlWebhooks final : public app::WebhookTargetChecker, public app::WebhookSender {
 public:
  explicit CurlWebhooks(TargetOptions options) : options_(std::move(options)) {}

  absl::Status Check(const std::string& field, const std::string& url) override;
  app::WebhookAnswer Post(const app::WebhookPost& post) override;

 private:
  const TargetOptions options_;
};

}  // namespace sslpanel::workflow::webhooks
