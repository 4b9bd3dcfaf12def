// The ACME resources this client reads (RFC 8555 section 7.1): directory,
// order, authorization and challenge, and the parsers from their JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::ca::acme {

struct Directory {
  std::string new_nonce;
  std::string new_account;
  std::string new_order;
  std::string revoke_cert;
  std::string terms_of_service;
  bool external_account_required = false;
};

struct Challenge {
  std::string type;  // "dns-01", "http-01", ...
  std::string url;
  std::string token;
  std::string status;
  nlohmann::json error;
};

struct Authorization {
  std::string url;
  std::string identifier;  // the DNS name, without "*." for a wildcard
  bool wildcard = false;
  std::string status;
  // When the CA stops accepting challenge answers for it (RFC 3339 in the
  // object); nullopt when the CA did not say.
  std::optional<absl::Time> expires;
  std::vector<Challenge> challenges;
};

struct Order {
  std::string url;
  std::string status;  // pending, ready, processing, valid, invalid
  std::vector<std::string> identifiers;
  std::vector<std::string> authorizations;
  std::string finalize;
  std::string certificate;
  nlohmann::json error;
  std::optional<absl::Duration> retry_after;
};

// Checked reads of a member of a CA's JSON object: absent or null gives
// `fallback`; another type is UNAVAILABLE naming `what` and the member (the
// CA answered something unusable, which may well pass), where nlohmann's
// value() would throw.
absl::StatusOr<std::string> StringField(const nlohmann::json& object, const char* name,
                                        absl::string_view what);
absl::StatusOr<bool> BoolField(const nlohmann::json& object, const char* name, bool fallback,
                               absl::string_view what);

// UNAVAILABLE when `body` is not such an object or a member has the wrong
// type: the CA answered something unusable, which may well pass. `url` is
// where the object came from (named in the directory's error).
absl::StatusOr<Directory> ParseDirectory(const nlohmann::json& body, absl::string_view url);
absl::StatusOr<Order> ParseOrder(const std::string& url, const nlohmann::json& body);
absl::StatusOr<Authorization> ParseAuthorization(const std::string& url,
                                                 const nlohmann::json& body);
// The target of the first Link header value with rel="<rel>", or "".
std::string LinkWithRel(const std::vector<std::string>& links, absl::string_view rel);

}  // namespace sslpanel::ca::acme
