// A real Pebble (Let's Encrypt's ACME test server, /usr/bin/pebble) for a
// test: free loopback ports, its own TLS certificate, challenges always
// valid (PEBBLE_VA_ALWAYS_VALID=1) and its default rejection of 5% of good
// nonces left on, so clients must handle badNonce. Stopped by PID.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "common/http/http.h"
#include "common/testing/subprocess.h"

namespace sslpanel::ca::testing {

class Pebble {
 public:
  struct Options {
    // External account binding: required, with these key ids and base64url
    // MAC keys.
    bool require_eab = false;
    std::map<std::string, std::string> eab_keys;
  };

  static absl::StatusOr<std::unique_ptr<Pebble>> Start(const Options& options);
  ~Pebble();

  // Stops Pebble and starts it again on the same ports: a new CA that knows
  // none of the earlier accounts, orders or certificates (Pebble keeps
  // everything in memory).
  absl::Status Restart();

  std::string directory_url() const;
  // PEM file that makes Pebble's TLS certificate trusted (--ca_bundle).
  const std::string& tls_ca_file() const { return tls_ca_file_; }

  // The CA Pebble issues under, from its management interface (made anew
  // at every start).
  absl::StatusOr<std::string> RootPem();
  absl::StatusOr<std::string> IntermediatePem();
  // Pebble's record of a certificate by serial: {"Status": "Valid" |
  // "Revoked", "Reason": ...}.
  absl::StatusOr<nlohmann::json> CertificateStatus(const std::string& serial_hex);

 private:
  Pebble() = default;
  absl::StatusOr<std::string> Management(const std::string& path);
  // Starts the process with config_path_ and waits for its directory.
  absl::Status Launch(const std::string& log_path);

  std::unique_ptr<sslpanel::testing::Subprocess> process_;
  std::unique_ptr<http::Client> http_;
  std::string dir_;
  std::string tls_ca_file_;
  std::string config_path_;
  int launches_ = 0;
  int port_ = 0;
  int management_port_ = 0;
};

}  // namespace sslpanel::ca::testing
