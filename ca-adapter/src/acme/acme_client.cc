#include "ca-adapter/src/acme/acme_client.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ca-adapter/src/acme/acme_errors.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {
namespace {

using nlohmann::json;

constexpr char kJoseJson[] = "application/jose+json";
constexpr size_t kMaxKeptNonces = 32;

absl::Status Unreadable(absl::string_view what, absl::string_view problem) {
  // The CA answered something we cannot use; it may well be passing.
  return absl::UnavailableError(absl::StrCat("ACME ", what, ": ", problem));
}

std::string String(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool AcmeClient::Backoff(int attempt, absl::Time deadline, std::optional<absl::Duration> hint) {
  absl::Duration pause = options_.retry.Backoff(attempt, app::RandomUnit(random_));
  if (hint.has_value()) {
    pause = std::clamp(*hint, pause, options_.retry.max_backoff);
  }
  if (clock_.Now() + pause >= deadline) {
    return false;
  }
  absl::SleepFor(pause);
  return true;
}

absl::StatusOr<http::Response> AcmeClient::Send(http::Request request, absl::string_view what,
                                                absl::Time deadline, bool retry_safe) {
  for (int attempt = 1;; ++attempt) {
    const absl::Duration left = deadline - clock_.Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("ACME ", what, ": out of time"));
    }
    request.timeout = std::min(options_.request_timeout, left);
    absl::StatusOr<http::Response> response = http_.Do(request);
    const bool server_error = response.ok() && response->status >= 500;
    if ((!response.ok() || server_error) && retry_safe && attempt < options_.retry.max_attempts &&
        Backoff(attempt, deadline, std::nullopt)) {
      continue;
    }
    return response;
  }
}

absl::StatusOr<Directory> AcmeClient::GetDirectory(absl::Time deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (directory_.has_value()) {
      return *directory_;
    }
  }
  http::Request request;
  request.method = "GET";
  request.url = options_.directory_url;
  absl::StatusOr<http::Response> response = Send(request, "directory", deadline, true);
  if (!response.ok()) {
    return response.status();
  }
  if (response->status != 200) {
    return ProblemToStatus(ParseProblem(response->status, response->body), "directory",
                           std::nullopt);
  }
  absl::StatusOr<Directory> directory =
      ParseDirectory(json::parse(response->body, nullptr, false), options_.directory_url);
  if (!directory.ok()) {
    return directory.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  directory_ = *directory;
  return directory;
}

void AcmeClient::KeepNonce(const http::Response& response) {
  std::string nonce = response.Header("replay-nonce");
  if (nonce.empty()) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (nonces_.size() >= kMaxKeptNonces) {
    nonces_.erase(nonces_.begin());
  }
  nonces_.push_back(std::move(nonce));
}

absl::StatusOr<std::string> AcmeClient::TakeNonce(absl::Time deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!nonces_.empty()) {
      std::string nonce = std::move(nonces_.back());
      nonces_.pop_back();
      return nonce;
    }
  }
  absl::StatusOr<Directory> directory = GetDirectory(deadline);
  if (!directory.ok()) {
    return directory.status();
  }
  http::Request request;
  request.method = "HEAD";
  request.url = directory->new_nonce;
  absl::StatusOr<http::Response> response = Send(request, "new nonce", deadline, true);
  if (!response.ok()) {
    return response.status();
  }
  std::string nonce = response->Header("replay-nonce");
  if (nonce.empty()) {
    return Unreadable("new nonce", "no Replay-Nonce header");
  }
  return nonce;
}

absl::StatusOr<AcmeClient::Reply> AcmeClient::Post(const EcKey& key, const std::string& kid,
                                                   const std::string& url,
                                                   const std::optional<json>& payload,
                                                   absl::string_view what, absl::Time deadline,
                                                   bool retry_safe, NotFoundMeans not_found) {
  int bad_nonces = 0;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<std::string> nonce = TakeNonce(deadline);
    if (!nonce.ok()) {
      return nonce.status();
    }
    json header = {{"alg", "ES256"}, {"nonce", *nonce}, {"url", url}};
    if (kid.empty()) {
      header["jwk"] = key.PublicJwk();
    } else {
      header["kid"] = kid;
    }
    absl::StatusOr<json> jws = SignJws(key, header, payload.has_value() ? payload->dump() : "");
    if (!jws.ok()) {
      return jws.status();
    }
    const absl::Duration left = deadline - clock_.Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("ACME ", what, ": out of time"));
    }
    http::Request request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", kJoseJson}};
    request.body = jws->dump();
    request.timeout = std::min(options_.request_timeout, left);
    absl::StatusOr<http::Response> response = http_.Do(request);
    if (!response.ok()) {
      if (retry_safe && attempt < options_.retry.max_attempts &&
          Backoff(attempt, deadline, std::nullopt)) {
        continue;
      }
      return response.status();
    }
    KeepNonce(*response);
    const std::optional<absl::Duration> retry_after =
        ParseRetryAfter(response->Header("retry-after"), clock_.Now());
    if (response->status >= 400) {
      const Problem problem = ParseProblem(response->status, response->body);
      if (problem.type == "badNonce" && bad_nonces < options_.max_bad_nonce_retries) {
        // RFC 8555 section 6.5: retry with the nonce that came with the
        // error; no pause needed, and no transport attempt spent.
        ++bad_nonces;
        ++bad_nonce_retries_;
        --attempt;
        log::Debug("ACME badNonce; retrying with the fresh nonce", {{"request", what}});
        continue;
      }
      if (response->status >= 500 && retry_safe && attempt < options_.retry.max_attempts &&
          Backoff(attempt, deadline, retry_after)) {
        continue;
      }
      return ProblemToStatus(problem, what, retry_after, not_found);
    }
    Reply reply;
    reply.status = response->status;
    reply.body = std::move(response->body);
    reply.location = response->Header("location");
    reply.retry_after = retry_after;
    for (const auto& [name, value] : response->headers) {
      if (name == "link") {
        reply.links.push_back(value);
      }
    }
    if (absl::StrContains(response->Header("content-type"), "json")) {
      reply.json = json::parse(reply.body, nullptr, false);
      if (reply.json.is_discarded()) {
        return Unreadable(what, "the answer is not valid JSON");
      }
    }
    return reply;
  }
}

absl::StatusOr<std::string> AcmeClient::RegisterAccount(const EcKey& key,
                                                        const NewAccountRequest& request,
                                                        absl::Time deadline) {
  absl::StatusOr<Directory> directory = GetDirectory(deadline);
  if (!directory.ok()) {
    return directory.status();
  }
  json payload = {{"termsOfServiceAgreed", true}};
  if (!request.contacts.empty()) {
    payload["contact"] = request.contacts;
  }
  if (!request.eab_kid.empty() && !request.eab_hmac_key.empty()) {
    // RFC 8555 7.3.4: the account key, signed with the MAC key the CA gave.
    payload["externalAccountBinding"] = SignHs256Jws(
        request.eab_hmac_key,
        json{{"alg", "HS256"}, {"kid", request.eab_kid}, {"url", directory->new_account}},
        key.PublicJwk().dump());
  } else if (directory->external_account_required) {
    // Our configuration, not the customer's request: UNAVAILABLE, so the
    // keys that ran into it go through once the operator sets the binding.
    return absl::UnavailableError(
        "the ACME CA requires external account binding: set --eab_kid and --eab_hmac_key_file");
  }
  // Registering the same key again returns the existing account: safe.
  absl::StatusOr<Reply> reply =
      Post(key, "", directory->new_account, payload, "new account", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  if (reply->location.empty()) {
    return Unreadable("new account", "no Location header");
  }
  return reply->location;
}

absl::StatusOr<json> AcmeClient::GetAccount(const Account& account, absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, account.url, std::nullopt, "account", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  return reply->json;
}

absl::StatusOr<Order> AcmeClient::NewOrder(const Account& account,
                                           const std::vector<std::string>& names,
                                           absl::Time deadline) {
  absl::StatusOr<Directory> directory = GetDirectory(deadline);
  if (!directory.ok()) {
    return directory.status();
  }
  json identifiers = json::array();
  for (const std::string& name : names) {
    identifiers.push_back({{"type", "dns"}, {"value", name}});
  }
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, directory->new_order, json{{"identifiers", identifiers}},
           "new order", deadline, /*retry_safe=*/false);
  if (!reply.ok()) {
    return reply.status();
  }
  if (reply->location.empty()) {
    return Unreadable("new order", "no Location header");
  }
  return ParseOrder(reply->location, reply->json);
}

absl::StatusOr<Order> AcmeClient::GetOrder(const Account& account, const std::string& url,
                                           absl::Time deadline) {
  absl::StatusOr<Reply> reply = Post(account.key, account.url, url, std::nullopt, "order", deadline,
                                     true, NotFoundMeans::kGone);
  if (!reply.ok()) {
    return reply.status();
  }
  absl::StatusOr<Order> order = ParseOrder(url, reply->json);
  if (order.ok()) {
    order->retry_after = reply->retry_after;
  }
  return order;
}

absl::StatusOr<Authorization> AcmeClient::GetAuthorization(const Account& account,
                                                           const std::string& url,
                                                           absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, url, std::nullopt, "authorization", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  return ParseAuthorization(url, reply->json);
}

absl::StatusOr<Challenge> AcmeClient::RespondToChallenge(const Account& account,
                                                         const std::string& url,
                                                         absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, url, json::object(), "challenge", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  Challenge challenge;
  challenge.url = url;
  challenge.type = String(reply->json, "type");
  challenge.token = String(reply->json, "token");
  challenge.status = String(reply->json, "status");
  return challenge;
}

absl::StatusOr<Authorization> AcmeClient::DeactivateAuthorization(const Account& account,
                                                                  const std::string& url,
                                                                  absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, url, json{{"status", "deactivated"}},
           "deactivate authorization", deadline, true, NotFoundMeans::kGone);
  if (!reply.ok()) {
    return reply.status();
  }
  return ParseAuthorization(url, reply->json);
}

absl::StatusOr<Order> AcmeClient::Finalize(const Account& account, const Order& order,
                                           const std::string& csr_der, absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, order.finalize, json{{"csr", Base64UrlEncode(csr_der)}},
           "finalize", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  absl::StatusOr<Order> finalized = ParseOrder(order.url, reply->json);
  if (finalized.ok()) {
    finalized->retry_after = reply->retry_after;
  }
  return finalized;
}

absl::StatusOr<std::string> AcmeClient::DownloadCertificate(const Account& account,
                                                            const std::string& url,
                                                            absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, url, std::nullopt, "certificate", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  return reply->body;
}

absl::Status AcmeClient::RevokeCertificate(const Account& account,
                                           const std::string& certificate_der, int reason,
                                           absl::Time deadline) {
  absl::StatusOr<Directory> directory = GetDirectory(deadline);
  if (!directory.ok()) {
    return directory.status();
  }
  if (directory->revoke_cert.empty()) {
    return absl::FailedPreconditionError("the ACME CA offers no revokeCert");
  }
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, directory->revoke_cert,
           json{{"certificate", Base64UrlEncode(certificate_der)}, {"reason", reason}},
           "revoke certificate", deadline, true);
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<std::pair<std::vector<std::string>, std::string>> AcmeClient::ListOrders(
    const Account& account, const std::string& url, absl::Time deadline) {
  absl::StatusOr<Reply> reply =
      Post(account.key, account.url, url, std::nullopt, "orders list", deadline, true);
  if (!reply.ok()) {
    return reply.status();
  }
  // Recovery must not miss an order: an answer it cannot read fully is an
  // error, never a shorter list.
  if (!reply->json.is_object() || !reply->json.contains("orders") ||
      !reply->json["orders"].is_array()) {
    return Unreadable("orders list", "no \"orders\" array");
  }
  std::vector<std::string> orders;
  for (const json& order : reply->json["orders"]) {
    if (!order.is_string()) {
      return Unreadable("orders list", absl::StrCat("an entry is a ", order.type_name()));
    }
    orders.push_back(order.get<std::string>());
  }
  return std::make_pair(std::move(orders), LinkWithRel(reply->links, "next"));
}

}  // namespace sslpanel::ca::acme
