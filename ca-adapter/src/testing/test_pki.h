// Test helpers on the customer's side of a CA: making CSRs and verifying
// what a CA issued with OpenSSL, as a TLS client would.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sslpanel::ca::testing {

enum class KeyType { kEcP256, kRsa2048, kRsa1024 };

struct TestCsr {
  std::string key_pem;
  std::string csr_pem;
};

// A CSR for `names` with a fresh key: the first name is the subject CN, all
// of them are subjectAltName dNSNames.
absl::StatusOr<TestCsr> MakeCsr(const std::vector<std::string>& names,
                                KeyType key_type = KeyType::kEcP256);

// Verifies `leaf_pem` as a TLS server certificate (for `host` when not
// empty) against the trust anchor `root_pem`, with `chain_pem` as untrusted
// intermediates, at the current time. The error names OpenSSL's reason.
absl::Status VerifyCertificate(const std::string& root_pem, const std::string& chain_pem,
                               const std::string& leaf_pem, const std::string& host = "");

// A throw-away TLS setup for loopback test servers (Pebble, our services
// with --tls_*): a CA and a certificate for localhost and 127.0.0.1, good
// for serving and for mutual TLS as a client, as PEM files in `dir`; and a
// second CA that signed nothing of it.
struct TlsServerFiles {
  std::string ca_cert_path;  // what clients (and mutual-TLS servers) trust
  std::string cert_path;
  std::string key_path;
  std::string other_ca_cert_path;
};
absl::StatusOr<TlsServerFiles> WriteTlsServerFiles(const std::string& dir);

}  // namespace sslpanel::ca::testing
