// RDAP client for the .nl registry (SIDN, https://rdap.sidn.nl): GET
// {base}/domain/{name}. A 404 whose RFC 9083 error body (errorCode 404)
// names the domain is "not registered"; any other 404 (a wrong base path, a
// proxy), a transport failure, rate limit, server error or unreadable answer
// is UNAVAILABLE, never a FAIL.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "app/ports.h"
#include "common/http/http.h"

namespace sslpanel::prevalidation::clients {

struct RdapClientOptions {
  // e.g. "https://rdap.sidn.nl" or the fake's "http://127.0.0.1:8082".
  std::string base_url;
  absl::Duration timeout = absl::Seconds(5);
};

class RdapClient final : public app::DomainRegistry {
 public:
  RdapClient(RdapClientOptions options, std::shared_ptr<http::Client> http);

  absl::StatusOr<domain::DomainRegistration> LookupDomain(const std::string& domain) override;

  // How reports name this source, e.g. "RDAP (rdap.sidn.nl)".
  const std::string& source() const { return source_; }

 private:
  RdapClientOptions options_;
  std::shared_ptr<http::Client> http_;
  std::string source_;
};

}  // namespace sslpanel::prevalidation::clients
