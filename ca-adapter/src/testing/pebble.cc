#include "ca-adapter/src/testing/pebble.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ca-adapter/src/testing/test_pki.h"

namespace sslpanel::ca::testing {

namespace {

constexpr char kPebbleBinary[] = "/usr/bin/pebble";
constexpr int kStartAttempts = 3;  // a picked port may be taken before Pebble binds it

}  // namespace

absl::StatusOr<std::unique_ptr<Pebble>> Pebble::Start(const Options& options) {
  const std::string dir = sslpanel::testing::MakeTempDir("pebble-");
  if (dir.empty()) {
    return absl::InternalError("cannot create a directory for Pebble");
  }
  absl::StatusOr<TlsServerFiles> tls = WriteTlsServerFiles(dir);
  if (!tls.ok()) {
    return tls.status();
  }
  absl::Status last = absl::UnavailableError("Pebble did not start");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::unique_ptr<Pebble> pebble(new Pebble());
    pebble->tls_ca_file_ = tls->ca_cert_path;
    int ports[4];
    for (int& port : ports) {
      absl::StatusOr<int> free = sslpanel::testing::PickFreePort();
      if (!free.ok()) {
        return free.status();
      }
      port = *free;
    }
    pebble->port_ = ports[0];
    pebble->management_port_ = ports[1];
    nlohmann::json config = {{"listenAddress", absl::StrCat("127.0.0.1:", ports[0])},
                             {"managementListenAddress", absl::StrCat("127.0.0.1:", ports[1])},
                             {"certificate", tls->cert_path},
                             {"privateKey", tls->key_path},
                             {"httpPort", ports[2]},
                             {"tlsPort", ports[3]},
                             {"ocspResponderURL", ""},
                             {"externalAccountBindingRequired", options.require_eab}};
    if (!options.eab_keys.empty()) {
      config["externalAccountMACKeys"] = options.eab_keys;
    }
    pebble->config_path_ = absl::StrCat(dir, "/pebble-config-", attempt, ".json");
    std::ofstream(pebble->config_path_) << nlohmann::json{{"pebble", config}}.dump(2);
    http::CurlOptions curl;
    curl.ca_file = tls->ca_cert_path;
    pebble->http_ = http::NewCurlClient(curl);
    last = pebble->Launch(absl::StrCat(dir, "/pebble-", attempt, ".log"));
    if (last.ok()) {
      pebble->dir_ = dir;  // removed with the last Pebble using it
      return pebble;
    }
  }
  std::filesystem::remove_all(dir);
  return last;
}

absl::Status Pebble::Launch(const std::string& log_path) {
  ++launches_;
  // Pebble's nonce rejection (PEBBLE_WFE_NONCEREJECT, 5% by default) stays
  // on on purpose.
  auto process =
      sslpanel::testing::Subprocess::Start({kPebbleBinary, "-config", config_path_}, log_path,
                                           {"PEBBLE_VA_ALWAYS_VALID=1", "PEBBLE_VA_NOSLEEP=1"});
  if (!process.ok()) {
    return process.status();
  }
  process_ = *std::move(process);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline && process_->Running()) {
    http::Request request;
    request.url = directory_url();
    request.timeout = absl::Seconds(2);
    absl::StatusOr<http::Response> response = http_->Do(request);
    if (response.ok() && response->status == 200) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::UnavailableError(
      absl::StrCat("Pebble did not serve its directory; log:\n", process_->Log()));
}

absl::Status Pebble::Restart() {
  if (process_ != nullptr) {
    if (absl::StatusOr<int> stopped = process_->Terminate(absl::Seconds(5)); !stopped.ok()) {
      return stopped.status();
    }
  }
  return Launch(absl::StrCat(config_path_, ".", launches_, ".log"));
}

Pebble::~Pebble() {
  if (process_ != nullptr) {
    (void)process_->Terminate(absl::Seconds(5));
  }
  if (!dir_.empty()) {
    std::filesystem::remove_all(dir_);
  }
}

std::string Pebble::directory_url() const {
  return absl::StrCat("https://127.0.0.1:", port_, "/dir");
}

absl::StatusOr<std::string> Pebble::Management(const std::string& path) {
  http::Request request;
  request.url = absl::StrCat("https://127.0.0.1:", management_port_, path);
  absl::StatusOr<http::Response> response = http_->Do(request);
  if (!response.ok()) {
    return response.status();
  }
  if (response->status != 200) {
    return absl::NotFoundError(absl::StrCat(path, ": HTTP ", response->status));
  }
  return response->body;
}

absl::StatusOr<std::string> Pebble::RootPem() { return Management("/roots/0"); }

absl::StatusOr<std::string> Pebble::IntermediatePem() { return Management("/intermediates/0"); }

absl::StatusOr<nlohmann::json> Pebble::CertificateStatus(const std::string& serial_hex) {
  absl::StatusOr<std::string> body = Management("/cert-status-by-serial/" + serial_hex);
  if (!body.ok()) {
    return body.status();
  }
  return nlohmann::json::parse(*body, nullptr, false);
}

}  // namespace sslpanel::ca::testing
