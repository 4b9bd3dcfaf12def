// Reads a CSR with OpenSSL and says what a CA would refuse: small or weak
// keys (RSA exponents below 65537 too), SHA-1 (or weaker) signatures,
// signatures that do not verify.
#pragma once

#include "workflow-service/src/app/ports.h"

namespace sslpanel::workflow::csr {

class OpenSslCsrParser final : public app::CsrParser {
 public:
  // The key of an RSA or EC P-256/P-384 CSR is read with OpenSSL's RSA and
  // EC key decoding directly: OpenSSL 3.0 builds a decoder context for
  // every key it reads inside a request, most of a parse's CPU. Any other
  // CSR is read the full way. `full_decode_only`: always the full way (the
  // tests and the fuzz target compare both).
  explicit OpenSslCsrParser(bool full_decode_only = false) : fast_key_decode_(!full_decode_only) {}

  // Accepts PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or
  // base64 DER.
  absl::StatusOr<app::DecodedCsr> Parse(const std::string& text) const override;

 private:
  bool fast_key_decode_;
};

}  // namespace sslpanel::workflow::csr
