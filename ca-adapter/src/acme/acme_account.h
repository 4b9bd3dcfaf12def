// The ACME account this adapter acts as: its key and URL come from MySQL;
// on first use the key is generated and stored before it is registered, so
// replicas and restarts share one account and never lose it. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ca-adapter/src/acme/acme_client.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "common/time/clock.h"

namespace sslpanel::ca::acme {

struct AccountConfig {
  std::string directory_url;
  std::vector<std::string> contacts;  // "mailto:..."
  std::string eab_kid;
  std::string eab_hmac_key;  // decoded
};

class AccountProvider {
 public:
  AccountProvider(AcmeStore& store, AcmeClient& client, const Clock& clock, AccountConfig config)
      : store_(store), client_(client), clock_(clock), config_(std::move(config)) {}

  // The registered account, registering it first when needed.
  absl::StatusOr<Account> Get(absl::Time deadline);

 private:
  AcmeStore& store_;
  AcmeClient& client_;
  const Clock& clock_;
  AccountConfig config_;
  std::mutex mu_;
  std::optional<Account> account_;  // guarded by mu_
};

}  // namespace sslpanel::ca::acme
