#include "ca-adapter/src/acme/acme_objects.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sslpanel::ca::acme {
namespace {

using nlohmann::json;

absl::Status Unreadable(absl::string_view what, absl::string_view problem) {
  return absl::UnavailableError(absl::StrCat("ACME ", what, ": ", problem));
}

// Lenient: a missing or wrongly typed URL reads as "" and is refused below.
std::string String(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

absl::StatusOr<Directory> ParseDirectory(const json& body, absl::string_view url) {
  Directory directory;
  directory.new_nonce = String(body, "newNonce");
  directory.new_account = String(body, "newAccount");
  directory.new_order = String(body, "newOrder");
  directory.revoke_cert = String(body, "revokeCert");
  if (body.is_object() && body.contains("meta") && body["meta"].is_object()) {
    directory.terms_of_service = String(body["meta"], "termsOfService");
    absl::StatusOr<bool> eab_required =
        BoolField(body["meta"], "externalAccountRequired", false, "directory meta");
    if (!eab_required.ok()) {
      return eab_required.status();
    }
    directory.external_account_required = *eab_required;
  }
  if (directory.new_nonce.empty() || directory.new_account.empty() || directory.new_order.empty()) {
    return Unreadable("directory", absl::StrCat(url, " is not an ACME directory"));
  }
  return directory;
}

std::string LinkWithRel(const std::vector<std::string>& links, absl::string_view rel) {
  // Link: <https://ca/next>;rel="next", <https://ca/dir>;rel="index"
  for (const std::string& header : links) {
    for (absl::string_view value : absl::StrSplit(header, ',')) {
      value = absl::StripAsciiWhitespace(value);
      const size_t open = value.find('<');
      const size_t close = value.find('>');
      if (open != 0 || close == absl::string_view::npos) {
        continue;
      }
      for (absl::string_view param : absl::StrSplit(value.substr(close + 1), ';')) {
        param = absl::StripAsciiWhitespace(param);
        if (absl::ConsumePrefix(&param, "rel=")) {
          param = absl::StripPrefix(absl::StripSuffix(param, "\""), "\"");
          if (param == rel) {
            return std::string(value.substr(1, close - 1));
          }
        }
      }
    }
  }
  return "";
}

absl::StatusOr<std::string> StringField(const json& object, const char* name,
                                        absl::string_view what) {
  if (!object.is_object()) {
    return Unreadable(what, absl::StrCat("a ", object.type_name(), ", not an object"));
  }
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return Unreadable(what,
                      absl::StrCat("\"", name, "\" is a ", it->type_name(), ", not a string"));
  }
  return it->get<std::string>();
}

absl::StatusOr<bool> BoolField(const json& object, const char* name, bool fallback,
                               absl::string_view what) {
  if (!object.is_object()) {
    return Unreadable(what, absl::StrCat("a ", object.type_name(), ", not an object"));
  }
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return fallback;
  }
  if (!it->is_boolean()) {
    return Unreadable(what,
                      absl::StrCat("\"", name, "\" is a ", it->type_name(), ", not a boolean"));
  }
  return it->get<bool>();
}

absl::StatusOr<Order> ParseOrder(const std::string& url, const json& body) {
  if (!body.is_object() || !body.contains("status")) {
    return Unreadable("order", "not an order object");
  }
  Order order;
  order.url = url;
  absl::StatusOr<std::string> status = StringField(body, "status", "order");
  absl::StatusOr<std::string> finalize = StringField(body, "finalize", "order");
  absl::StatusOr<std::string> certificate = StringField(body, "certificate", "order");
  for (const absl::StatusOr<std::string>* field : {&status, &finalize, &certificate}) {
    if (!field->ok()) {
      return field->status();
    }
  }
  order.status = *status;
  order.finalize = *finalize;
  order.certificate = *certificate;
  if (body.contains("identifiers") && body["identifiers"].is_array()) {
    for (const json& identifier : body["identifiers"]) {
      absl::StatusOr<std::string> value = StringField(identifier, "value", "order identifier");
      if (!value.ok()) {
        return value.status();
      }
      order.identifiers.push_back(absl::AsciiStrToLower(*value));
    }
  }
  if (body.contains("authorizations") && body["authorizations"].is_array()) {
    for (const json& authz : body["authorizations"]) {
      if (!authz.is_string()) {
        return Unreadable("order", "an authorization URL is not a string");
      }
      order.authorizations.push_back(authz.get<std::string>());
    }
  }
  if (body.contains("error")) {
    order.error = body["error"];
  }
  return order;
}

absl::StatusOr<Authorization> ParseAuthorization(const std::string& url, const json& body) {
  if (!body.is_object() || !body.contains("identifier")) {
    return Unreadable("authorization", "not an authorization object");
  }
  Authorization authz;
  authz.url = url;
  absl::StatusOr<std::string> identifier =
      StringField(body["identifier"], "value", "authorization identifier");
  absl::StatusOr<bool> wildcard = BoolField(body, "wildcard", false, "authorization");
  absl::StatusOr<std::string> status = StringField(body, "status", "authorization");
  absl::StatusOr<std::string> expires = StringField(body, "expires", "authorization");
  if (!identifier.ok()) {
    return identifier.status();
  }
  if (!wildcard.ok()) {
    return wildcard.status();
  }
  if (!status.ok()) {
    return status.status();
  }
  if (!expires.ok()) {
    return expires.status();
  }
  authz.identifier = absl::AsciiStrToLower(*identifier);
  authz.wildcard = *wildcard;
  authz.status = *status;
  absl::Time when;
  std::string error;
  if (!expires->empty() && absl::ParseTime(absl::RFC3339_full, *expires, &when, &error)) {
    authz.expires = when;
  }
  if (body.contains("challenges") && body["challenges"].is_array()) {
    for (const json& c : body["challenges"]) {
      Challenge challenge;
      for (auto [name, out] : {std::pair<const char*, std::string*>{"type", &challenge.type},
                               {"url", &challenge.url},
                               {"token", &challenge.token},
                               {"status", &challenge.status}}) {
        absl::StatusOr<std::string> value = StringField(c, name, "challenge");
        if (!value.ok()) {
          return value.status();
        }
        *out = *std::move(value);
      }
      if (c.contains("error")) {
        challenge.error = c["error"];
      }
      authz.challenges.push_back(std::move(challenge));
    }
  }
  return authz;
}

}  // namespace sslpanel::ca::acme
