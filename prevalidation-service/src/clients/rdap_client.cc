#include "clients/rdap_client.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/json_util.h"
#include "clients/rdap_json.h"

namespace sslpanel::prevalidation::clients {
namespace {

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '/';
}

// `text` names `domain` as a whole name: "Domain x.nl not found" names
// x.nl, "shop.x.nl" and "x.nl.example" do not.
bool NamesDomain(absl::string_view text, absl::string_view domain) {
  const std::string lowered = absl::AsciiStrToLower(text);
  const absl::string_view lower = lowered;
  for (size_t at = lower.find(domain); at != absl::string_view::npos;
       at = lower.find(domain, at + 1)) {
    const size_t after = at + domain.size();
    if ((at == 0 || !IsNameChar(lower[at - 1])) &&
        (after == lower.size() || !IsNameChar(lower[after]) ||
         (lower[after] == '.' && (after + 1 == lower.size() || !IsNameChar(lower[after + 1]))))) {
      return true;
    }
  }
  return false;
}

// RFC 7480 answers an unknown object with 404, and RFC 9083 error bodies
// carry the same errorCode. But an RDAP server behind a wrong base path
// answers RDAP 404s too, for every name: a 404 means "not registered" only
// when its error body says so about this domain (names it in its title or
// description). Anything else must not fail a customer's order.
bool IsNotRegistered(const http::Response& response, absl::string_view domain) {
  if (response.status != 404) {
    return false;
  }
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || Integer(body, "errorCode") != 404) {
    return false;
  }
  if (NamesDomain(Text(body, "title"), domain)) {
    return true;
  }
  const nlohmann::json& description = Member(body, "description");
  if (description.is_array()) {
    for (const nlohmann::json& line : description) {
      if (line.is_string() && NamesDomain(line.get<std::string>(), domain)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

RdapClient::RdapClient(RdapClientOptions options, std::shared_ptr<http::Client> http)
    : options_(std::move(options)), http_(std::move(http)) {
  options_.base_url = std::string(absl::StripSuffix(options_.base_url, "/"));
  source_ = absl::StrCat("RDAP (", UrlHost(options_.base_url), ")");
}

absl::StatusOr<domain::DomainRegistration> RdapClient::LookupDomain(const std::string& domain) {
  http::Request request;
  request.url = absl::StrCat(options_.base_url, "/domain/", http::UrlEncode(domain));
  request.headers.emplace_back("Accept", "application/rdap+json");
  request.timeout = options_.timeout;
  absl::StatusOr<http::Response> response = http_->Do(request);
  if (!response.ok()) {
    return absl::UnavailableError(absl::StrCat("RDAP: ", response.status().message()));
  }
  if (IsNotRegistered(*response, absl::AsciiStrToLower(domain))) {
    domain::DomainRegistration registration;
    registration.domain = domain;
    registration.source = source_;
    return registration;
  }
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat(
        "RDAP: unexpected HTTP ", response->status, " for ", domain,
        response->status == 404 ? " (not an RDAP \"not found\" about this domain: wrong base URL?)"
                                : ""));
  }
  absl::StatusOr<domain::DomainRegistration> registration = ParseRdapDomain(response->body, domain);
  if (!registration.ok()) {
    return absl::UnavailableError(absl::StrCat("RDAP: ", registration.status().message()));
  }
  registration->source = source_;
  return registration;
}

}  // namespace sslpanel::prevalidation::clients
