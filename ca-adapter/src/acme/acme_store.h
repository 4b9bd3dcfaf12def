// The ACME adapter's state in MySQL (migration 0003): the account key and
// URL per directory (never only in memory: a lost key is a lost account and
// its orders), and the orders this adapter created. The account key is
// stored sealed by the keyring (--secrets_key_file; an AES-256-GCM envelope
// bound to its directory URL) and read back with any of its keys.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ca-adapter/src/acme/acme_order.h"
#include "common/crypto/keyring.h"
#include "common/mysql/mysql.h"

namespace sslpanel::ca::acme {

struct StoredAccount {
  std::string key_pem;
  std::string account_url;  // "" until registered
};

class AcmeStore {
 public:
  // Without a sealing key (a default Keyring) account keys are stored as
  // they are.
  explicit AcmeStore(mysql::ConnectionPool& pool, crypto::Keyring secrets = crypto::Keyring())
      : pool_(pool), secrets_(std::move(secrets)) {}

  // The key comes back opened; FAILED_PRECONDITION or DATA_LOSS when the
  // stored value cannot be opened with the keyring (never its contents).
  absl::StatusOr<std::optional<StoredAccount>> LoadAccount(absl::string_view directory_url);
  // ALREADY_EXISTS when another replica stored a key first (use that one).
  absl::Status InsertAccountKey(absl::string_view directory_url, const std::string& key_pem,
                                absl::Time now);
  absl::Status SetAccountUrl(absl::string_view directory_url, const std::string& account_url,
                             absl::Time now);
  // Clears the account URL if it is still `stale_url` (the CA no longer
  // knows that account; the key stays and is registered again).
  absl::Status ClearAccountUrl(absl::string_view directory_url, const std::string& stale_url,
                               absl::Time now);

  // The step `migrate` runs after the SQL migrations: every account key not
  // sealed with the current key (stored before encryption, or under a key
  // since rotated) is sealed with it. Returns how many rows it rewrote;
  // running it again rewrites none. Does nothing without a current key.
  absl::StatusOr<int> SealAccountKeys();
  // OK when every stored account key opens with the keyring (checked at
  // start, so a missing or wrong key stops the server, not a customer call).
  absl::Status CheckAccountKeysOpen();

  // ALREADY_EXISTS when the URL or the idempotency key is taken.
  absl::Status InsertOrder(const AcmeOrderRecord& order, absl::Time now);
  absl::StatusOr<std::optional<AcmeOrderRecord>> FindOrder(absl::string_view order_url);
  absl::StatusOr<std::optional<AcmeOrderRecord>> FindOrderByKey(absl::string_view key);
  // Writes if the stored row still has order.version (and bumps it); false
  // when another call changed it first.
  absl::StatusOr<bool> UpdateOrder(AcmeOrderRecord& order, absl::Time now);
  // Applies `change` to `order` and stores it; when another call changed the
  // row first, reloads the row and applies `change` to that, so neither
  // call's facts are lost. ABORTED after a few lost races.
  absl::Status Apply(AcmeOrderRecord& order, const std::function<void(AcmeOrderRecord&)>& change,
                     absl::Time now);

 private:
  absl::StatusOr<std::optional<AcmeOrderRecord>> FindOrderBy(const char* column,
                                                             absl::string_view value);

  struct RawAccountKey {
    std::string directory_url;
    std::string stored;
  };
  absl::StatusOr<std::vector<RawAccountKey>> ReadAccountKeys();

  mysql::ConnectionPool& pool_;
  const crypto::Keyring secrets_;
};

}  // namespace sslpanel::ca::acme
