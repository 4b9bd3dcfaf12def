// Reading a certificate signing request the way a CA does before it accepts
// an order: it must parse, its self-signature must verify, and its key must
// be one a public CA signs (RSA >= 2048 bits with an odd exponent >= 65537,
// EC P-256 or P-384).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::ca::x509 {

struct CsrInfo {
  std::string der;
  std::string common_name;             // "" when the subject has none
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries, lower-cased
  std::string key_type;                // "RSA-2048", "EC-P-256", ...
};

// INVALID_ARGUMENT starting with "csr: " when the request is unusable.
absl::StatusOr<CsrInfo> ParseCsr(absl::string_view pem);

// The names a CSR asks for: the common name and the dNSName entries,
// lower-cased, without duplicates.
std::vector<std::string> CsrNames(const CsrInfo& csr);

}  // namespace sslpanel::ca::x509
