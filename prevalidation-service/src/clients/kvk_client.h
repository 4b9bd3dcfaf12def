// The KvK API client: Zoeken v2 to learn whether a number is registered (a
// free call), then Basisprofiel v1 for names, dates and addresses (a paid
// call, made only for numbers that exist). Authenticates with the "apikey"
// header. Any transport failure, quota or server error is UNAVAILABLE, and
// so is an answer it cannot read: a broken source never turns into a FAIL.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "app/ports.h"
#include "common/http/http.h"

namespace sslpanel::prevalidation::clients {

struct KvkClientOptions {
  // Up to and including "/api", e.g. "https://api.kvk.nl/api" (production),
  // "https://api.kvk.nl/test/api" (KvK's test environment) or the fake's
  // "http://127.0.0.1:8081/api".
  std::string base_url;
  // Sent as the "apikey" header when not empty. Never logged.
  std::string api_key;
  absl::Duration timeout = absl::Seconds(5);
};

class KvkApiClient final : public app::KvkRegistry {
 public:
  KvkApiClient(KvkClientOptions options, std::shared_ptr<http::Client> http);

  absl::StatusOr<domain::CompanyLookup> FindCompany(const std::string& kvk_number) override;

  // How reports name this source, e.g. "KvK API (api.kvk.nl)".
  const std::string& source() const { return source_; }

 private:
  absl::StatusOr<http::Response> Get(const std::string& path_and_query);

  KvkClientOptions options_;
  std::shared_ptr<http::Client> http_;
  std::string source_;
};

}  // namespace sslpanel::prevalidation::clients
