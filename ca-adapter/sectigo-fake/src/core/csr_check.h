// The CSR checks AutoApplySSL and AutoReplaceSSL make, with the contract's
// CSR error codes (our reading of the -8…-13 block, from public clients):
// -8 not base64, -9 not a decodable PKCS#10, -10 key algorithm or curve,
// -11 self-signature, -12 key size, -6 no common name. PEM armour is
// optional. Keys: RSA 2048–8192, EC P-256 / P-384 / P-521. Pure (OpenSSL).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::sectigo_fake {

struct CsrFacts {
  std::string der;
  std::string pem;                     // re-armoured, for signing
  std::string common_name;             // lower-case
  std::vector<std::string> dns_names;  // subjectAltName dNSNames, lower-case
  std::string key_type;                // "RSA-2048", "EC-P-256", …
};

struct CsrCheck {
  std::optional<CsrFacts> facts;  // set when the CSR is acceptable
  int code = 0;                   // the API error code otherwise
  std::string message;
};

CsrCheck CheckCsr(absl::string_view text);

// The common name and the SAN dNSNames, without duplicates, CN first.
std::vector<std::string> CsrNames(const CsrFacts& csr);

}  // namespace sslpanel::sectigo_fake
