// An RFC 8555 (ACME) client: the directory, nonces, JWS-signed requests
// (with badNonce retried on the fresh nonce), accounts (with optional
// external account binding), orders, authorizations, challenges, finalize,
// certificate download and revocation. Every request has a timeout within
// the caller's deadline; transport failures and 5xx answers of requests that
// are safe to repeat are retried with backoff. Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "ca-adapter/src/acme/acme_objects.h"
#include "ca-adapter/src/acme/jose.h"
#include "ca-adapter/src/app/random_source.h"
#include "ca-adapter/src/app/retry_policy.h"
#include "common/http/http.h"
#include "common/time/clock.h"

namespace sslpanel::ca::acme {

// Who signs: the account key, and the account URL ("kid") once registered.
struct Account {
  EcKey key;
  std::string url;
};

struct NewAccountRequest {
  std::vector<std::string> contacts;  // "mailto:ops@example.nl"
  // External account binding (RFC 8555 section 7.3.4), when both are set.
  std::string eab_kid;
  std::string eab_hmac_key;  // the decoded MAC key
};

struct AcmeClientOptions {
  std::string directory_url;
  // Per HTTP request, within the caller's deadline.
  absl::Duration request_timeout = absl::Seconds(10);
  // For transport failures and 5xx answers of requests safe to repeat.
  app::RetryPolicy retry;
  // badNonce answers retried per request (each with the nonce it brought).
  int max_bad_nonce_retries = 10;
};

class AcmeClient {
 public:
  AcmeClient(http::Client& http, const Clock& clock, app::RandomSource& random,
             AcmeClientOptions options)
      : http_(http), clock_(clock), random_(random), options_(std::move(options)) {}

  absl::StatusOr<Directory> GetDirectory(absl::Time deadline);

  // newAccount: the account URL; the same key always yields the same account.
  absl::StatusOr<std::string> RegisterAccount(const EcKey& key, const NewAccountRequest& request,
                                              absl::Time deadline);
  // The account object (its "orders" list URL among others).
  absl::StatusOr<nlohmann::json> GetAccount(const Account& account, absl::Time deadline);

  // newOrder for DNS names. Never repeated automatically: a lost answer may
  // mean a created order (see AcmeBackend's recovery).
  absl::StatusOr<Order> NewOrder(const Account& account, const std::vector<std::string>& names,
                                 absl::Time deadline);
  // NOT_FOUND when the CA answers 404: no such order (any other request's
  // 404 means the CA or its configuration changed: UNAVAILABLE).
  absl::StatusOr<Order> GetOrder(const Account& account, const std::string& url,
                                 absl::Time deadline);
  absl::StatusOr<Authorization> GetAuthorization(const Account& account, const std::string& url,
                                                 absl::Time deadline);
  // Tells the CA to validate (POST {} to the challenge).
  absl::StatusOr<Challenge> RespondToChallenge(const Account& account, const std::string& url,
                                               absl::Time deadline);
  // NOT_FOUND when the CA no longer has the authorization.
  absl::StatusOr<Authorization> DeactivateAuthorization(const Account& account,
                                                        const std::string& url,
                                                        absl::Time deadline);
  absl::StatusOr<Order> Finalize(const Account& account, const Order& order,
                                 const std::string& csr_der, absl::Time deadline);
  // The PEM chain (application/pem-certificate-chain), leaf first.
  absl::StatusOr<std::string> DownloadCertificate(const Account& account, const std::string& url,
                                                  absl::Time deadline);
  // revokeCert signed by the account key; `reason` is an RFC 5280 code.
  absl::Status RevokeCertificate(const Account& account, const std::string& certificate_der,
                                 int reason, absl::Time deadline);
  // One page of an orders list (RFC 8555 section 7.1.2.1) and the URL of
  // the next page ("" at the end); UNAVAILABLE when the page is not wholly
  // readable.
  absl::StatusOr<std::pair<std::vector<std::string>, std::string>> ListOrders(
      const Account& account, const std::string& url, absl::Time deadline);

  // badNonce answers retried so far (observable, so tests can show that the
  // retry path ran against a real server).
  int64_t bad_nonce_retries() const { return bad_nonce_retries_.load(); }

 private:
  struct Reply {
    int status = 0;
    std::string body;
    std::string location;
    std::vector<std::string> links;  // raw Link header values
    std::optional<absl::Duration> retry_after;
    nlohmann::json json;
  };

  // A JWS-signed POST: `payload` nullopt is POST-as-GET. `kid` empty embeds
  // the key's JWK instead (newAccount). `retry_safe`: may be repeated after a
  // transport failure or a 5xx answer. `not_found`: what a 404 means.
  absl::StatusOr<Reply> Post(const EcKey& key, const std::string& kid, const std::string& url,
                             const std::optional<nlohmann::json>& payload, absl::string_view what,
                             absl::Time deadline, bool retry_safe,
                             NotFoundMeans not_found = NotFoundMeans::kCaUnavailable);
  absl::StatusOr<http::Response> Send(http::Request request, absl::string_view what,
                                      absl::Time deadline, bool retry_safe);
  absl::StatusOr<std::string> TakeNonce(absl::Time deadline);
  void KeepNonce(const http::Response& response);
  // Sleeps before retry `attempt`; false when the deadline does not allow it.
  bool Backoff(int attempt, absl::Time deadline, std::optional<absl::Duration> hint);

  http::Client& http_;
  const Clock& clock_;
  app::RandomSource& random_;
  AcmeClientOptions options_;

  std::mutex mu_;
  std::optional<Directory> directory_;  // guarded by mu_
  std::vector<std::string> nonces_;     // guarded by mu_
  std::atomic<int64_t> bad_nonce_retries_{0};
};

}  // namespace sslpanel::ca::acme
