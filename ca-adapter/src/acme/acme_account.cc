#include "ca-adapter/src/acme/acme_account.h"

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/app/idempotent_executor.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {
namespace {

// Whatever newAccount answers (a rejected contact, a required binding, an
// account the CA disabled) is the operator's to fix, so it must not become
// the answer to the customer request that happened to trigger it.
absl::Status RegistrationFailed(const absl::Status& cause) {
  if (!app::IsDefinitive(cause.code())) {
    return cause;
  }
  absl::Status status =
      absl::UnavailableError(absl::StrCat("ACME account registration: ", cause.message()));
  cause.ForEachPayload([&status](absl::string_view type_url, const absl::Cord& payload) {
    status.SetPayload(type_url, payload);
  });
  return status;
}

// A stored key the configured secrets keys cannot open (a replica started
// with other keys than the one that stored it) is also the operator's to
// fix: never a final answer to a request. The message names the key id only.
absl::Status StoreFailed(const absl::Status& cause) {
  if (cause.code() != absl::StatusCode::kFailedPrecondition &&
      cause.code() != absl::StatusCode::kDataLoss) {
    return cause;
  }
  return absl::UnavailableError(cause.message());
}

}  // namespace

absl::StatusOr<Account> AccountProvider::Get(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    while (true) {
      if (account_.has_value()) {
        return *account_;
      }
      if (!registering_) {
        registering_ = true;  // this call registers; the others wait
        break;
      }
      const absl::Duration left = deadline - clock_.Now();
      if (left <= absl::ZeroDuration()) {
        return absl::DeadlineExceededError(
            "another call is registering the ACME account; retry with the same key");
      }
      registered_.WaitWithTimeout(&mu_, left);
    }
  }
  absl::StatusOr<Account> account = LoadOrRegister(deadline);
  absl::MutexLock lock(&mu_);
  registering_ = false;
  if (account.ok()) {
    account_ = *account;
  }
  registered_.SignalAll();
  return account;
}

absl::Status AccountProvider::Forget(const std::string& stale_url) {
  {
    absl::MutexLock lock(&mu_);
    if (account_.has_value() && account_->url == stale_url) {
      account_.reset();
    }
  }
  return store_.ClearAccountUrl(config_.directory_url, stale_url, clock_.Now());
}

absl::StatusOr<Account> AccountProvider::LoadOrRegister(absl::Time deadline) {
  absl::StatusOr<std::optional<StoredAccount>> stored = store_.LoadAccount(config_.directory_url);
  if (!stored.ok()) {
    return StoreFailed(stored.status());
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
      return StoreFailed(stored.status());
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
    // newAccount is idempotent per key: registering again returns the
    // account the key has, or a new one when the CA lost it.
    absl::StatusOr<std::string> registered = client_.RegisterAccount(*key, request, deadline);
    if (!registered.ok()) {
      return RegistrationFailed(registered.status());
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
  return Account{*key, url};
}

}  // namespace sslpanel::ca::acme
