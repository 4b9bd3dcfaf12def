// Builds the ACME backend with everything it refers to (HTTP client, ACME
// client, account provider, store), kept alive together. Used by main() and
// by the tests, which also look at the client's badNonce count.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ca-adapter/src/acme/acme_backend.h"
#include "ca-adapter/src/acme/acme_preflight.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/app/random_source.h"
#include "common/crypto/keyring.h"
#include "common/mysql/mysql.h"
#include "common/time/clock.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace sslpanel::ca::acme {

struct AcmeConfig {
  std::string directory_url;
  // PEM bundle to trust for the ACME server's TLS; empty = system store.
  std::string ca_bundle;
  std::string contact_email;
  // External account binding: the key id and a file holding the base64url
  // MAC key, both or neither.
  std::string eab_kid;
  std::string eab_hmac_key_file;
  absl::Duration request_timeout = absl::Seconds(10);
  int max_attempts = 3;
  // Answer a challenge only once the adapter itself sees the customer's DNS
  // record or file (--challenge_preflight); off for a CA that validates
  // everything (Pebble with PEBBLE_VA_ALWAYS_VALID).
  bool challenge_preflight = true;
  PreflightConfig preflight;
  AcmeBackendConfig backend;
  // Seals the account key in the database (--secrets_key_file); without a
  // current key it is stored unencrypted.
  crypto::Keyring secrets;

  // Names the first bad flag.
  absl::Status Validate() const;
};

struct AcmeParts {
  std::shared_ptr<app::CaBackend> backend;
  AcmeClient* client = nullptr;         // owned by backend's bundle
  AccountProvider* accounts = nullptr;  // owned by backend's bundle
};

// The backend's metrics go to `metrics`, which must outlive it. Refuses
// (FAILED_PRECONDITION or DATA_LOSS, naming the key id) when a stored account
// key does not open with config.secrets.
absl::StatusOr<AcmeParts> MakeAcmeBackend(const AcmeConfig& config, mysql::ConnectionPool& pool,
                                          const Clock& clock, app::RandomSource& random,
                                          prometheus::Registry& metrics);

// The step `migrate` runs after the SQL migrations: seals every stored
// secret (the account keys) not yet sealed with the keyring's current key,
// and logs how many; idempotent. Without a current key it changes nothing
// and warns when secrets are stored unencrypted.
absl::Status SealStoredSecrets(mysql::ConnectionPool& pool, const crypto::Keyring& secrets);

}  // namespace sslpanel::ca::acme
