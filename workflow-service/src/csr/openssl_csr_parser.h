// Reads a CSR with OpenSSL and says what a CA would refuse: small or weak
// keys (RSA exponents below 65537 too), SHA-1 (or weaker) signatures,
// signatures that do not verify.
#pragma once

#include "workflow-service/src/app/ports.h"

namespace sslpanel::workflow::csr {

class OpenSslCsrParser final : public app::CsrParser {
 public:
  // Accepts PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or
  // base64 DER.
  absl::StatusOr<app::DecodedCsr> Parse(const std::string& text) const override;
};

}  // namespace sslpanel::workflow::csr
