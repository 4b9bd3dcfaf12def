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

std::string String(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

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

absl::StatusOr<Order> ParseOrder(const std::string& url, const json& body) {
  if (!body.is_object() || !body.contains("status")) {
    return Unreadable("order", "not an order object");
  }
  Order order;
  order.url = url;
  order.status = String(body, "status");
  if (body.contains("identifiers") && body["identifiers"].is_array()) {
    for (const json& identifier : body["identifiers"]) {
      order.identifiers.push_back(absl::AsciiStrToLower(String(identifier, "value")));
    }
  }
  if (body.contains("authorizations") && body["authorizations"].is_array()) {
    for (const json& authz : body["authorizations"]) {
      if (authz.is_string()) {
        order.authorizations.push_back(authz.get<std::string>());
      }
    }
  }
  order.finalize = String(body, "finalize");
  order.certificate = String(body, "certificate");
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
  authz.identifier = absl::AsciiStrToLower(String(body["identifier"], "value"));
  authz.wildcard = body.value("wildcard", false);
  authz.status = String(body, "status");
  if (body.contains("challenges") && body["challenges"].is_array()) {
    for (const json& c : body["challenges"]) {
      Challenge challenge;
      challenge.type = String(c, "type");
      challenge.url = String(c, "url");
      challenge.token = String(c, "token");
      challenge.status = String(c, "status");
      if (c.contains("error")) {
        challenge.error = c["error"];
      }
      authz.challenges.push_back(std::move(challenge));
    }
  }
  return authz;
}

}  // namespace sslpanel::ca::acme
