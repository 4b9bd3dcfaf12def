#include "ca-adapter/src/testing/fake_acme.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ca-adapter/src/acme/jose.h"

namespace sslpanel::ca::testing {
namespace {

using nlohmann::json;

http::Response Json(int status, const json& body, http::Headers headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return http::Response{status, std::move(headers), body.dump()};
}

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

http::Response FakeAcmeCa::Problem(int status, const std::string& type, const std::string& detail) {
  return http::Response{
      status,
      {{"Content-Type", "application/problem+json"}},
      json{{"type", absl::StrCat("urn:ietf:params:acme:error:", type)}, {"detail", detail}}.dump()};
}

absl::StatusOr<std::unique_ptr<FakeAcmeCa>> FakeAcmeCa::Start(Options options) {
  std::unique_ptr<FakeAcmeCa> ca(new FakeAcmeCa(std::move(options)));
  auto server = http::Server::Start(
      "127.0.0.1", 0, [raw = ca.get()](const http::ServerRequest& r) { return raw->Handle(r); });
  if (!server.ok()) {
    return server.status();
  }
  ca->server_ = *std::move(server);
  return ca;
}

std::string FakeAcmeCa::url(const std::string& path) const { return server_->base_url() + path; }
std::string FakeAcmeCa::directory_url() const { return url("/dir"); }

void FakeAcmeCa::set_fault(Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_ = std::move(fault);
}

int FakeAcmeCa::orders_created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(order_ids_.size());
}

std::vector<std::string> FakeAcmeCa::order_urls() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> urls;
  for (const std::string& id : order_ids_) {
    urls.push_back(url("/order/" + id));
  }
  return urls;
}

int FakeAcmeCa::accounts_created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return accounts_created_;
}

void FakeAcmeCa::ForgetAccounts() {
  std::lock_guard<std::mutex> lock(mu_);
  accounts_.clear();
  account_orders_.clear();
}

http::Response FakeAcmeCa::Handle(const http::ServerRequest& request) {
  http::Response response;
  if (request.path == "/dir") {
    response = Json(200, {{"newNonce", url("/nonce")},
                          {"newAccount", url("/new-acct")},
                          {"newOrder", url("/new-order")},
                          {"revokeCert", url("/revoke")}});
  } else if (request.path == "/nonce") {
    response = http::Response{200, {}, ""};
  } else {
    Fault fault;
    {
      std::lock_guard<std::mutex> lock(mu_);
      fault = fault_;
    }
    std::optional<http::Response> injected;
    if (fault) {
      injected = fault(request.path, true);
    }
    if (injected.has_value()) {
      response = *std::move(injected);
    } else {
      const json jws = json::parse(request.body, nullptr, false);
      absl::StatusOr<std::string> header_text =
          acme::Base64UrlDecode(jws.is_object() ? jws.value("protected", "") : "");
      absl::StatusOr<std::string> payload =
          acme::Base64UrlDecode(jws.is_object() ? jws.value("payload", "") : "");
      const json header =
          header_text.ok() ? json::parse(*header_text, nullptr, false) : json(nullptr);
      if (!header.is_object() || !payload.ok()) {
        response = Problem(400, "malformed", "not a JWS");
      } else {
        response = Post(request.path, request.query, header, *payload);
      }
      if (fault) {
        injected = fault(request.path, false);
        if (injected.has_value()) {
          response = *std::move(injected);
        }
      }
    }
  }
  static std::atomic<int> nonces{0};
  response.headers.emplace_back("Replay-Nonce", absl::StrCat("fake-nonce-", ++nonces));
  return response;
}

json FakeAcmeCa::OrderJson(const std::string& id) const {
  const OrderState& order = orders_.at(id);
  json identifiers = json::array();
  for (const std::string& name : order.names) {
    identifiers.push_back({{"type", "dns"}, {"value", name}});
  }
  json authorizations = json::array();
  for (const std::string& authz : order.authzs) {
    authorizations.push_back(url("/authz/" + authz));
  }
  return {{"status", order.status},
          {"identifiers", identifiers},
          {"authorizations", authorizations},
          {"finalize", url("/finalize/" + id)}};
}

json FakeAcmeCa::AuthzJson(const std::string& id) const {
  const Authz& authz = authzs_.at(id);
  json challenges = json::array();
  for (size_t i = 0; i < authz.challenges.size(); ++i) {
    const Challenge& c = authz.challenges[i];
    challenges.push_back({{"type", c.type},
                          {"url", url(absl::StrCat("/chall/", id, "/", i))},
                          {"token", c.token},
                          {"status", c.status}});
  }
  return {{"identifier", {{"type", "dns"}, {"value", authz.identifier}}},
          {"status", authz.status},
          {"challenges", challenges}};
}

http::Response FakeAcmeCa::Post(const std::string& path, const std::string& query,
                                const json& header, const std::string& payload) {
  if (path == "/new-acct") {
    if (options_.new_account_delay > absl::ZeroDuration()) {
      absl::SleepFor(options_.new_account_delay);
    }
    absl::StatusOr<std::string> thumbprint =
        acme::JwkThumbprint(header.contains("jwk") ? header["jwk"] : json());
    if (!thumbprint.ok()) {
      return Problem(400, "malformed", "newAccount needs a jwk");
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, created] = accounts_.emplace(*thumbprint, absl::StrCat(next_id_));
    if (created) {
      ++next_id_;
      ++accounts_created_;
    }
    return Json(created ? 201 : 200, {{"status", "valid"}},
                {{"Location", url("/acct/" + it->second)}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  const std::string kid = header.value("kid", "");
  std::string account;
  for (const auto& [thumbprint, id] : accounts_) {
    if (kid == url("/acct/" + id)) {
      account = id;
    }
  }
  if (account.empty()) {
    return Problem(400, "accountDoesNotExist", "no account " + kid);
  }
  absl::string_view rest = path;
  if (path == "/acct/" + account) {
    json body = {{"status", "valid"}};
    if (options_.orders_list) {
      body["orders"] = url("/acct/" + account + "/orders");
    }
    return Json(200, body);
  }
  if (path == "/acct/" + account + "/orders") {
    const std::vector<std::string>& all = account_orders_[account];
    size_t page = 0;
    if (absl::StartsWith(query, "page=")) {
      (void)absl::SimpleAtoi(query.substr(5), &page);
    }
    json orders = json::array();
    for (size_t i = page * options_.orders_page_size;
         i < all.size() && i < (page + 1) * options_.orders_page_size; ++i) {
      orders.push_back(url("/order/" + all[i]));
    }
    http::Headers headers;
    if ((page + 1) * options_.orders_page_size < all.size()) {
      headers.emplace_back("Link", absl::StrCat("<", url("/acct/" + account + "/orders"),
                                                "?page=", page + 1, ">;rel=\"next\""));
    }
    return Json(200, {{"orders", orders}}, std::move(headers));
  }
  if (path == "/new-order") {
    const json request = json::parse(payload, nullptr, false);
    std::vector<std::string> names;
    if (request.is_object() && request.contains("identifiers")) {
      for (const json& identifier : request["identifiers"]) {
        names.push_back(identifier.value("value", ""));
      }
    }
    if (options_.reuse_pending_orders) {
      for (const std::string& id : account_orders_[account]) {
        const OrderState& order = orders_.at(id);
        if ((order.status == "pending" || order.status == "ready") &&
            Sorted(order.names) == Sorted(names)) {
          return Json(201, OrderJson(id), {{"Location", url("/order/" + id)}});
        }
      }
    }
    const std::string id = absl::StrCat(next_id_++);
    OrderState order{account, "pending", names, {}};
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string authz = absl::StrCat(id, "-", i);
      authzs_[authz] = Authz{names[i],
                             "pending",
                             {{"dns-01", absl::StrCat("dns-token-", authz), "pending"},
                              {"http-01", absl::StrCat("http-token-", authz), "pending"}},
                             id};
      order.authzs.push_back(authz);
    }
    orders_[id] = std::move(order);
    account_orders_[account].push_back(id);
    order_ids_.push_back(id);
    return Json(201, OrderJson(id), {{"Location", url("/order/" + id)}});
  }
  if (absl::ConsumePrefix(&rest, "/order/")) {
    auto it = orders_.find(std::string(rest));
    if (it == orders_.end() || it->second.account != account) {
      return Problem(404, "malformed", "no such order");
    }
    return Json(200, OrderJson(it->first));
  }
  if (absl::ConsumePrefix(&rest, "/authz/")) {
    if (authzs_.count(std::string(rest)) == 0) {
      return Problem(404, "malformed", "no such authorization");
    }
    return Json(200, AuthzJson(std::string(rest)));
  }
  if (absl::ConsumePrefix(&rest, "/chall/")) {
    const size_t slash = rest.rfind('/');
    const std::string authz_id(rest.substr(0, slash));
    size_t index = 0;
    auto it = authzs_.find(authz_id);
    if (slash == absl::string_view::npos || it == authzs_.end() ||
        !absl::SimpleAtoi(rest.substr(slash + 1), &index) ||
        index >= it->second.challenges.size()) {
      return Problem(404, "malformed", "no such challenge");
    }
    Challenge& challenge = it->second.challenges[index];
    challenge.status = "valid";
    it->second.status = "valid";
    OrderState& order = orders_.at(it->second.order_id);
    if (std::all_of(order.authzs.begin(), order.authzs.end(),
                    [this](const std::string& a) { return authzs_.at(a).status == "valid"; })) {
      order.status = "ready";
    }
    return Json(200, {{"type", challenge.type},
                      {"url", url(absl::StrCat("/chall/", authz_id, "/", index))},
                      {"token", challenge.token},
                      {"status", challenge.status}});
  }
  return Problem(404, "malformed", "no such resource " + path);
}

}  // namespace sslpanel::ca::testing
