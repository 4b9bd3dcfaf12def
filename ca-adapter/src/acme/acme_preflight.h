// Looks, before the adapter asks the CA to validate a challenge, whether
// what the CA will look for is there: the dns-01 TXT record at
// _acme-challenge.<name>, or the http-01 key authorization at
// http://<name>/.well-known/acme-challenge/<token>. A CA that finds nothing
// marks the authorization, and with it the order, invalid for good; until
// the check passes the order simply stays pending and the next poll looks
// again.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/acme/dns_resolver.h"
#include "common/http/http.h"
#include "common/time/clock.h"

namespace sslpanel::ca::acme {

struct PreflightConfig {
  // "a.b.c.d:port" of the DNS resolver to ask; "" = the system's. Note that a
  // caching resolver remembers "no such record" for the zone's negative TTL.
  std::string dns_server;
  // Tests only: fetch every http-01 file from this "host:port" (with the
  // name as Host header) instead of the name's own public addresses.
  std::string http_address;
  // Per DNS lookup or HTTP fetch.
  absl::Duration timeout = absl::Seconds(3);
};

// What one check found; `detail` says what was there instead (for logs).
struct PreflightResult {
  bool ready = false;
  std::string detail;
};

class ChallengePreflight {
 public:
  virtual ~ChallengePreflight() = default;
  // dns-01: a TXT record at `record_name` has the value `expected`.
  virtual PreflightResult CheckDns(const std::string& record_name, const std::string& expected,
                                   absl::Time deadline) = 0;
  // http-01: http://<host>/.well-known/acme-challenge/<token> serves
  // `expected` (trailing whitespace ignored, redirects followed as a CA
  // does: at most 10, to http or https on ports 80 and 443). Only public
  // addresses are fetched from, as a CA would.
  virtual PreflightResult CheckHttp(const std::string& host, const std::string& token,
                                    const std::string& expected, absl::Time deadline) = 0;
};

// Checks over the network: DNS through libresolv, HTTP through libcurl.
absl::StatusOr<std::unique_ptr<ChallengePreflight>> NewNetworkPreflight(
    const PreflightConfig& config, const Clock& clock);

}  // namespace sslpanel::ca::acme
