#include "ca-adapter/src/acme/acme_account.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {

absl::StatusOr<Account> AccountProvider::Get(absl::Time deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (account_.has_value()) {
    return *account_;
  }
  absl::StatusOr<std::optional<StoredAccount>> stored = store_.LoadAccount(config_.directory_url);
  if (!stored.ok()) {
    return stored.status();
  }
  if (!stored->has_value()) {
    absl::StatusOr<EcKey> key = EcKey::Generate();
    if (!key.ok()) {
      return key.status();
    }
    // Stored before registering: a crash after newAccount must not leave an
    // account whose key nobody has.
    absl::Status inserted =
        store_.InsertAccountKey(config_.directory_url, key->ToPem(), clock_.Now());
    if (!inserted.ok() && inserted.code() != absl::StatusCode::kAlreadyExists) {
      return inserted;
    }
    stored = store_.LoadAccount(config_.directory_url);  // another replica may have won
    if (!stored.ok()) {
      return stored.status();
    }
    if (!stored->has_value()) {
      return absl::AbortedError("ACME account key vanished; retry");
    }
  }
  absl::StatusOr<EcKey> key = EcKey::FromPem((*stored)->key_pem);
  if (!key.ok()) {
    return absl::InternalError(absl::StrCat("stored ACME account key: ", key.status().message()));
  }
  std::string url = (*stored)->account_url;
  if (url.empty()) {
    NewAccountRequest request;
    request.contacts = config_.contacts;
    request.eab_kid = config_.eab_kid;
    request.eab_hmac_key = config_.eab_hmac_key;
    absl::StatusOr<std::string> registered = client_.RegisterAccount(*key, request, deadline);
    if (!registered.ok()) {
      return registered.status();
    }
    url = *registered;
    if (absl::Status saved = store_.SetAccountUrl(config_.directory_url, url, clock_.Now());
        !saved.ok()) {
      return saved;
    }
    log::Info("ACME account registered", {{"directory", config_.directory_url},
                                          {"account", url},
                                          {"external_account_binding", !config_.eab_kid.empty()}});
  }
  account_ = Account{*key, url};
  return *account_;
}

}  // namespace sslpanel::ca::acme
