// The KvK API client: Zoeken v2 (free) to see whether the search lists a
// number, then Basisprofiel v1 for names, dates, legal form and addresses;
// Basisprofiel decides, also whether an unknown number is really unknown.
// Authenticates with the "apikey" header. Any transport failure, quota or
// server error is UNAVAILABLE, and so is an answer it cannot read: a broken
// source never turns into a FAIL.
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
  // What Zoeken says about a number, read page by page up to a bound.
  struct SearchView {
    bool listed = false;
    // Every result Zoeken counts (totaal) was read, or it listed the number.
    bool complete = false;
    // For the report, e.g. "Zoeken: no results (IPD5200)".
    std::string summary;
  };
  // Zoeken's largest page, and how many pages are read at most (it shows at
  // most 1000 results).
  static constexpr int kSearchPageSize = 100;
  static constexpr int kMaxSearchPages = 10;

  absl::StatusOr<http::Response> Get(const std::string& path_and_query);
  absl::StatusOr<SearchView> Search(const std::string& kvk_number);

  KvkClientOptions options_;
  std::shared_ptr<http::Client> http_;
  std::string source_;
};

}  // namespace sslpanel::prevalidation::clients
