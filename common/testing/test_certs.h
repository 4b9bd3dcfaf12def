// Throw-away PKIs for tests of mutual TLS and caller identities, made with
// OpenSSL: a CA, and certificates it issues with the SANs a test needs
// (SPIFFE URIs, DNS names, none), expired ones, CA-less trust files.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sslpanel::testing {

struct KeyAndCert {
  std::string key_pem;
  std::string cert_pem;
};

struct CertSpec {
  std::string common_name = "test";
  // subjectAltName entries in OpenSSL's form: "URI:spiffe://...",
  // "DNS:localhost", "IP:127.0.0.1".
  std::vector<std::string> sans;
  // Validity relative to now.
  absl::Duration valid_from = -absl::Hours(1);
  absl::Duration valid_until = absl::Hours(24 * 7);
  bool is_ca = false;
};

class TestCa {
 public:
  // A self-signed EC P-256 CA.
  static absl::StatusOr<TestCa> Create(const std::string& name);

  // A leaf for serverAuth and clientAuth (or a CA when spec.is_ca).
  absl::StatusOr<KeyAndCert> Issue(const CertSpec& spec) const;
  const KeyAndCert& ca() const { return ca_; }

 private:
  KeyAndCert ca_;
};

// Writes `contents` to `path`.
absl::Status WriteTextFile(const std::string& path, const std::string& contents);

}  // namespace sslpanel::testing
