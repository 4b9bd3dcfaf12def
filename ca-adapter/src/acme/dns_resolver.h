// DNS lookups for the challenge pre-flight: TXT records and the addresses of
// a name, through libresolv with a resolver state of the call's own (so the
// lookups of concurrent calls never share one) and a timeout per lookup.
// Asks the system's resolvers (/etc/resolv.conf) or one given server.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sslpanel::ca::acme {

class DnsResolver {
 public:
  // `server`: "a.b.c.d:port" (or "a.b.c.d", port 53) of the one resolver to
  // ask; "" asks the system's. INVALID_ARGUMENT for anything else.
  static absl::StatusOr<DnsResolver> Create(const std::string& server);

  // The TXT records at `name`, each record's strings joined; empty when the
  // name or its TXT records do not exist. UNAVAILABLE when the resolver
  // fails or does not answer within `timeout`.
  absl::StatusOr<std::vector<std::string>> Txt(const std::string& name,
                                               absl::Duration timeout) const;
  // The IPv6 and IPv4 addresses of `name` (AAAA first), in text form; empty
  // when it has none.
  absl::StatusOr<std::vector<std::string>> Addresses(const std::string& name,
                                                     absl::Duration timeout) const;

 private:
  DnsResolver(std::string address, int port) : address_(std::move(address)), port_(port) {}

  // The answer section's records of `type` (their RDATA), following the
  // resolver's CNAMEs.
  absl::StatusOr<std::vector<std::string>> Query(const std::string& name, int type,
                                                 absl::Duration timeout) const;

  std::string address_;  // "" = system resolvers
  int port_ = 53;
};

}  // namespace sslpanel::ca::acme
