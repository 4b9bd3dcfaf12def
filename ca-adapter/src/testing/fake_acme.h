// A small in-memory ACME CA on loopback HTTP, for what a real Pebble cannot
// be made to do: fail a request after acting on it (a lost answer), leave
// the orders list out (as Let's Encrypt does), answer newOrder for the same
// account and names with the pending order (as Let's Encrypt does), page the
// orders list, take its time registering, forget its accounts. Signatures
// are not verified: the account is the "kid" (the "jwk" for newAccount).
// Challenges are valid as soon as they are answered.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http.h"

namespace sslpanel::ca::testing {

class FakeAcmeCa {
 public:
  struct Options {
    // The account object names an orders list (RFC 8555 7.1.2.1).
    bool orders_list = true;
    size_t orders_page_size = 100;
    // newOrder for names the account has a pending (or ready) order for
    // answers with that order (Let's Encrypt).
    bool reuse_pending_orders = false;
    // How long newAccount takes.
    absl::Duration new_account_delay = absl::ZeroDuration();
  };
  // Looks at a POST (path without the query) before (`before` true: a
  // response replaces the handling, which then does nothing) or after it
  // was handled (a response replaces the answer; what it did stays done).
  using Fault = std::function<std::optional<http::Response>(const std::string& path, bool before)>;

  static absl::StatusOr<std::unique_ptr<FakeAcmeCa>> Start(Options options);

  std::string directory_url() const;
  std::string url(const std::string& path) const;
  void set_fault(Fault fault);

  // Orders ever created, and their URLs.
  int orders_created() const;
  std::vector<std::string> order_urls() const;
  int accounts_created() const;
  // Drops every account, as a CA that lost its state.
  void ForgetAccounts();

  // An ACME problem answer, e.g. Problem(503, "serverInternal", "down").
  static http::Response Problem(int status, const std::string& type, const std::string& detail);

 private:
  struct Challenge {
    std::string type, token, status;
  };
  struct Authz {
    std::string identifier, status;
    std::vector<Challenge> challenges;
    std::string order_id;
  };
  struct OrderState {
    std::string account, status;
    std::vector<std::string> names;
    std::vector<std::string> authzs;
  };

  explicit FakeAcmeCa(Options options) : options_(std::move(options)) {}
  http::Response Handle(const http::ServerRequest& request);
  http::Response Post(const std::string& path, const std::string& query,
                      const nlohmann::json& header, const std::string& payload);
  nlohmann::json OrderJson(const std::string& id) const;  // mu_ held
  nlohmann::json AuthzJson(const std::string& id) const;  // mu_ held

  const Options options_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  Fault fault_;                                  // guarded by mu_
  std::map<std::string, std::string> accounts_;  // thumbprint -> id, guarded by mu_
  std::map<std::string, std::vector<std::string>> account_orders_;  // guarded by mu_
  std::map<std::string, OrderState> orders_;                        // guarded by mu_
  std::map<std::string, Authz> authzs_;                             // guarded by mu_
  std::vector<std::string> order_ids_;  // creation order, guarded by mu_
  int next_id_ = 1;                     // guarded by mu_
  int accounts_created_ = 0;            // guarded by mu_
};

}  // namespace sslpanel::ca::testing
