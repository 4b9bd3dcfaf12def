// The prevalidation service's configuration as main() reads it from flags:
// a plain struct, validated in one place with the flag named in each error.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sslpanel::prevalidation {

struct ServiceConfig {
  // KvK API up to "/api": production https://api.kvk.nl/api, KvK's test
  // environment https://api.kvk.nl/test/api, the local fake
  // http://127.0.0.1:8081/api.
  std::string kvk_base_url;
  std::string kvk_api_key;  // secret: never logged
  // CA bundle for the KvK API: api.kvk.nl chains to "Staat der Nederlanden
  // Private Root CA - G1", which is not in the system trust store.
  std::string kvk_ca_file;
  // .nl RDAP: https://rdap.sidn.nl, or the local fake http://127.0.0.1:8082.
  std::string rdap_base_url;
  // JSON phone directory; empty: no telephone source (that check is UNKNOWN).
  std::string phone_directory_file;
  // Deadline of every call to a data source.
  absl::Duration source_timeout = absl::Seconds(5);
  // How long registry answers are reused; 0 disables the cache.
  absl::Duration cache_ttl = absl::Minutes(5);

  // INVALID_ARGUMENT naming the flag ("--kvk_base_url: ...").
  absl::Status Validate() const;
};

// True when `url` points at this machine (the fakes), for the start-up log.
bool IsLoopbackUrl(const std::string& url);

}  // namespace sslpanel::prevalidation
