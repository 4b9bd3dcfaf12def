// The fake KvK API and RDAP service on two loopback ports, as one object:
// tests start it on port 0 in-process, and the fake-registries binary
// (scripts/run's offline default) on 127.0.0.1:8081 and :8082.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/http/http.h"
#include "fake/kvk_fake.h"
#include "fake/rdap_fake.h"

namespace sslpanel::prevalidation::fake {

struct FakeRegistriesOptions {
  // Holds kvk/ and rdap/ (prevalidation-service/testdata).
  std::string testdata_dir;
  // host:port; port 0 picks a free one.
  std::string kvk_listen = "127.0.0.1:0";
  std::string rdap_listen = "127.0.0.1:0";
  // When set, the fake KvK API answers 401 to requests without this apikey.
  std::string kvk_api_key;
};

class FakeRegistries {
 public:
  static absl::StatusOr<std::unique_ptr<FakeRegistries>> Start(
      const FakeRegistriesOptions& options);

  // What --kvk_base_url and --rdap_base_url of the service should be.
  std::string kvk_base_url() const { return kvk_server_->base_url() + "/api"; }
  std::string rdap_base_url() const { return rdap_server_->base_url(); }
  int kvk_port() const { return kvk_server_->port(); }
  int rdap_port() const { return rdap_server_->port(); }
  // HTTP requests answered so far (tests assert caching with these).
  int kvk_requests() const { return kvk_server_->requests_served(); }
  int rdap_requests() const { return rdap_server_->requests_served(); }
  size_t companies() const { return kvk_->companies(); }
  size_t domains() const { return rdap_->domains(); }

 private:
  FakeRegistries() = default;
  // The data outlive the servers that serve them (members destroy in reverse).
  std::unique_ptr<KvkFake> kvk_;
  std::unique_ptr<RdapFake> rdap_;
  std::unique_ptr<http::Server> kvk_server_;
  std::unique_ptr<http::Server> rdap_server_;
};

}  // namespace sslpanel::prevalidation::fake
