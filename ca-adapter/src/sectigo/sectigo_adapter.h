// Builds the Sectigo backend with what it refers to (HTTP client, API
// client, store), kept alive together. Used by main() and the tests.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/sectigo/sectigo_backend.h"
#include "common/mysql/mysql.h"
#include "common/time/clock.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace sslpanel::ca::sectigo {

struct SectigoConfig {
  std::string base_url = "https://secure.trust-provider.com/products/";
  std::string login_name;
  std::string login_password_file;  // or SSLPANEL_SECTIGO_PASSWORD
  std::string ca_bundle;            // empty: the system store
  absl::Duration request_timeout = absl::Seconds(30);
  // Polling faster than every 30 minutes is for the local fake only.
  bool allow_fast_polling = false;
  SectigoBackendConfig backend;

  // Names the first bad flag.
  absl::Status Validate() const;
};

absl::StatusOr<std::shared_ptr<app::CaBackend>> MakeSectigoBackend(const SectigoConfig& config,
                                                                   mysql::ConnectionPool& pool,
                                                                   const Clock& clock,
                                                                   prometheus::Registry& metrics);

}  // namespace sslpanel::ca::sectigo
