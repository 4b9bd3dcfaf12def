#include "clients/rdap_client.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/json_util.h"
#include "clients/rdap_json.h"

namespace sslpanel::prevalidation::clients {
namespace {

// RFC 7480 answers an unknown object with 404, and SIDN adds an RFC 9083
// error body. Only an RDAP 404 means "not registered": a bare or HTML 404
// means a wrong base URL, and must not fail a customer's order.
bool IsRdapNotFound(const http::Response& response) {
  if (response.status != 404) {
    return false;
  }
  if (absl::StrContains(response.Header("content-type"), "application/rdap+json")) {
    return true;
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_object() && Integer(body, "errorCode") == 404;
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
  if (IsRdapNotFound(*response)) {
    domain::DomainRegistration registration;
    registration.domain = domain;
    registration.source = source_;
    return registration;
  }
  if (response->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("RDAP: unexpected HTTP ", response->status, " for ", domain));
  }
  absl::StatusOr<domain::DomainRegistration> registration = ParseRdapDomain(response->body, domain);
  if (!registration.ok()) {
    return absl::UnavailableError(absl::StrCat("RDAP: ", registration.status().message()));
  }
  registration->source = source_;
  return registration;
}

}  // namespace sslpanel::prevalidation::clients
