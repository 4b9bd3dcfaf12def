// Real CSRs for tests, made with OpenSSL: good ones and every kind of bad one
// a customer might send (small keys, weak curves, SHA-1, broken signatures).
#pragma once

#include <string>
#include <vector>

namespace sslpanel::testing {

struct CsrSpec {
  enum class Key { kRsa, kEc };
  Key key = Key::kEc;
  int rsa_bits = 2048;
  unsigned long rsa_exponent = 65537;  // the public exponent the key is generated with
  // When set, the signed request's key is swapped for one with the same
  // modulus and this exponent: the only way to carry an exponent no RSA key
  // can have (an even one). Its signature then no longer verifies.
  unsigned long swap_in_rsa_exponent = 0;
  std::string curve = "prime256v1";  // OpenSSL group name
  std::string digest = "SHA256";
  std::string common_name = "www.example.com";
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  std::string organization;            // O
  std::string locality;                // L
  std::string country;                 // C
  bool corrupt_signature = false;
};

// A PEM "CERTIFICATE REQUEST"; aborts the test binary on OpenSSL failure.
std::string MakeCsr(const CsrSpec& spec);

// Shorthand: an EC P-256, SHA-256 CSR for `common_name` and `dns_names`.
std::string MakeCsr(const std::string& common_name, const std::vector<std::string>& dns_names = {});

}  // namespace sslpanel::testing
