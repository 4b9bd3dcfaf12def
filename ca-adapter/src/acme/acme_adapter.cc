#include "ca-adapter/src/acme/acme_adapter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/jose.h"
#include "common/config/secret.h"
#include "common/http/http.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {
namespace {

struct Acme {
  std::unique_ptr<http::Client> http;
  std::unique_ptr<AcmeClient> client;
  std::unique_ptr<AcmeStore> store;
  std::unique_ptr<AccountProvider> accounts;
  std::unique_ptr<ChallengePreflight> preflight;  // null when off
  std::unique_ptr<AcmeBackend> backend;
};

}  // namespace

absl::Status AcmeConfig::Validate() const {
  if (!absl::StartsWith(directory_url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--directory_url must be an https:// URL (RFC 8555 requires TLS), got \"",
                     directory_url, "\""));
  }
  if (eab_kid.empty() != eab_hmac_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--eab_kid and --eab_hmac_key_file go together: set both or neither");
  }
  if (!contact_email.empty() && contact_email.find('@') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--contact_email \"", contact_email, "\" is not an e-mail address"));
  }
  if (request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--ca_request_timeout must be positive");
  }
  if (max_attempts < 1 || max_attempts > 10) {
    return absl::InvalidArgumentError("--ca_max_attempts must be 1..10");
  }
  if (backend.driver.challenge_delay < absl::ZeroDuration() ||
      backend.driver.max_poll_wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--challenge_delay and --max_poll_wait must not be negative");
  }
  if (backend.max_recovery_pages < 1) {
    return absl::InvalidArgumentError("the orders list page limit must be at least 1");
  }
  if (challenge_preflight) {
    if (absl::StatusOr<DnsResolver> resolver = DnsResolver::Create(preflight.dns_server);
        !resolver.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--preflight_dns_server: ", resolver.status().message()));
    }
    if (preflight.timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("--preflight_timeout must be positive");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AcmeParts> MakeAcmeBackend(const AcmeConfig& config, mysql::ConnectionPool& pool,
                                          const Clock& clock, app::RandomSource& random,
                                          prometheus::Registry& metrics) {
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  AccountConfig account;
  account.directory_url = config.directory_url;
  if (!config.contact_email.empty()) {
    account.contacts.push_back(absl::StrCat("mailto:", config.contact_email));
  }
  if (!config.eab_kid.empty()) {
    absl::StatusOr<std::string> encoded =
        config::ReadSecret("--eab_hmac_key_file", config.eab_hmac_key_file, "");
    if (!encoded.ok()) {
      return encoded.status();
    }
    absl::StatusOr<std::string> key = Base64UrlDecode(*encoded);
    if (!key.ok() || key->empty()) {
      return absl::InvalidArgumentError(
          "--eab_hmac_key_file must hold the base64url MAC key the CA issued");
    }
    account.eab_kid = config.eab_kid;
    account.eab_hmac_key = *std::move(key);
  }
  auto acme = std::make_shared<Acme>();
  http::CurlOptions curl;
  curl.ca_file = config.ca_bundle;
  curl.user_agent = "sslpanel-ca-adapter-acme/1";
  acme->http = http::NewCurlClient(curl);
  AcmeClientOptions options;
  options.directory_url = config.directory_url;
  options.request_timeout = config.request_timeout;
  options.retry.max_attempts = config.max_attempts;
  acme->client = std::make_unique<AcmeClient>(*acme->http, clock, random, options);
  acme->store = std::make_unique<AcmeStore>(pool, config.secrets);
  if (absl::Status readable = acme->store->CheckAccountKeysOpen(); !readable.ok()) {
    return readable;
  }
  acme->accounts =
      std::make_unique<AccountProvider>(*acme->store, *acme->client, clock, std::move(account));
  if (config.challenge_preflight) {
    absl::StatusOr<std::unique_ptr<ChallengePreflight>> preflight =
        NewNetworkPreflight(config.preflight, clock);
    if (!preflight.ok()) {
      return preflight.status();
    }
    acme->preflight = *std::move(preflight);
  }
  acme->backend =
      std::make_unique<AcmeBackend>(config.backend, *acme->client, *acme->accounts, *acme->store,
                                    clock, acme->preflight.get(), metrics);
  AcmeParts parts;
  parts.client = acme->client.get();
  parts.accounts = acme->accounts.get();
  parts.backend = std::shared_ptr<app::CaBackend>(acme, acme->backend.get());
  return parts;
}

absl::Status SealStoredSecrets(mysql::ConnectionPool& pool, const crypto::Keyring& secrets) {
  if (!secrets.seals()) {
    return absl::OkStatus();  // KeyringFromFlags warned already
  }
  absl::StatusOr<int> sealed = AcmeStore(pool, secrets).SealAccountKeys();
  if (!sealed.ok()) {
    return sealed.status();
  }
  log::Info("stored secrets sealed with the current key",
            {{"table", "acme_accounts"},
             {"rows_sealed", static_cast<int64_t>(*sealed)},
             {"key_id", secrets.current_key_id()}});
  return absl::OkStatus();
}

}  // namespace sslpanel::ca::acme
