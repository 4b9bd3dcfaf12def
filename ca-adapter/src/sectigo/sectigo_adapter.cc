#include "ca-adapter/src/sectigo/sectigo_adapter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config/secret.h"
#include "common/http/http.h"

namespace sslpanel::ca::sectigo {
namespace {

struct Sectigo {
  std::unique_ptr<http::Client> http;
  std::unique_ptr<SectigoClient> client;
  std::unique_ptr<SectigoStore> store;
  std::unique_ptr<SectigoBackend> backend;
};

}  // namespace

absl::Status SectigoConfig::Validate() const {
  if (!absl::StartsWith(base_url, "https://") && !absl::StartsWith(base_url, "http://127.0.0.1") &&
      !absl::StartsWith(base_url, "http://localhost")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--base_url must be an https:// URL (plain http only on loopback), got \"",
                     base_url, "\""));
  }
  if (!absl::EndsWith(base_url, "/")) {
    return absl::InvalidArgumentError("--base_url must end with '/' (e.g. .../products/)");
  }
  if (login_name.empty() || login_name.size() > 64) {
    return absl::InvalidArgumentError("--login_name is required (at most 64 characters)");
  }
  if (request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--ca_request_timeout must be positive");
  }
  if (backend.min_poll_interval < absl::Minutes(30) && !allow_fast_polling) {
    return absl::InvalidArgumentError(
        "--min_poll_interval below 30m is for the local fake only: set --allow_fast_polling");
  }
  if (backend.max_collect_in_flight < 1 || backend.max_collect_in_flight > 16) {
    return absl::InvalidArgumentError("--max_collect_in_flight must be 1..16");
  }
  if (backend.rate_limited_backoff <= absl::ZeroDuration() ||
      backend.collect_slot_wait < absl::ZeroDuration() ||
      backend.lookup_margin < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--rate_limited_backoff must be positive, --collect_slot_wait and --lookup_margin not "
        "negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<app::CaBackend>> MakeSectigoBackend(const SectigoConfig& config,
                                                                   mysql::ConnectionPool& pool,
                                                                   const Clock& clock,
                                                                   prometheus::Registry& metrics) {
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  absl::StatusOr<std::string> password = config::ReadSecret(
      "--login_password_file", config.login_password_file, "SSLPANEL_SECTIGO_PASSWORD");
  if (!password.ok()) {
    return password.status();
  }
  if (password->empty()) {
    return absl::InvalidArgumentError(
        "the Sectigo password is required: --login_password_file or SSLPANEL_SECTIGO_PASSWORD");
  }
  auto sectigo = std::make_shared<Sectigo>();
  http::CurlOptions curl;
  curl.ca_file = config.ca_bundle;
  curl.user_agent = "sslpanel-ca-adapter-sectigo/1";
  sectigo->http = http::NewCurlClient(curl);
  ClientConfig client;
  client.base_url = config.base_url;
  client.login_name = config.login_name;
  client.login_password = *std::move(password);
  client.request_timeout = config.request_timeout;
  sectigo->client = std::make_unique<SectigoClient>(*sectigo->http, clock, std::move(client));
  sectigo->store = std::make_unique<SectigoStore>(pool);
  sectigo->backend = std::make_unique<SectigoBackend>(config.backend, *sectigo->client,
                                                      *sectigo->store, clock, metrics);
  return std::shared_ptr<app::CaBackend>(sectigo, sectigo->backend.get());
}

}  // namespace sslpanel::ca::sectigo
