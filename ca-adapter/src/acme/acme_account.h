// The ACME account this adapter acts as: its key and URL come from MySQL;
// on first use the key is generated and stored before it is registered, so
// replicas and restarts share one account and never lose it. When the CA no
// longer knows the account (accountDoesNotExist), Forget() drops the URL and
// the next Get() registers the same key again. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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

  // The registered account, registering it first when needed. One call
  // registers at a time; the others wait for it, but only until their own
  // deadline (then DEADLINE_EXCEEDED: retry). Registration problems are
  // ours, never the request's: they come back UNAVAILABLE (or
  // RESOURCE_EXHAUSTED / DEADLINE_EXCEEDED), never as a final answer.
  absl::StatusOr<Account> Get(absl::Time deadline);

  // The CA said it has no account `stale_url`: forgets it in memory and in
  // the database (unless another replica already stored a different URL),
  // so the next Get() registers the stored key again.
  absl::Status Forget(const std::string& stale_url);

 private:
  absl::StatusOr<Account> LoadOrRegister(absl::Time deadline);

  AcmeStore& store_;
  AcmeClient& client_;
  const Clock& clock_;
  AccountConfig config_;
  absl::Mutex mu_;
  absl::CondVar registered_;                             // signalled when registering_ ends
  std::optional<Account> account_ ABSL_GUARDED_BY(mu_);  // cached once registered
  bool registering_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sslpanel::ca::acme
