// Reads a CSR with OpenSSL and says what a CA would refuse: small or weak
// keys (RSA exponents below 65537 too), SHA-1 (or weaker) signatures,
// signatures that do not verify.
#pragma once

#include <atomic>
#include <cstdint>

#include "workflow-service/src/app/ports.h"

namespace sslpanel::workflow::csr {

struct OpenSslCsrParserOptions {
  // The key of an RSA or EC P-256/P-384 CSR signed with SHA-256/384/512 is
  // read with OpenSSL's RSA and EC key decoding directly: OpenSSL 3.0
  // builds a decoder context for every key it reads inside a request, most
  // of a parse's CPU. Any other CSR is read the full way. False: always the
  // full way (the tests and the fuzz target compare both).
  bool fast_key_decode = true;
};

class OpenSslCsrParser final : public app::CsrParser {
 public:
  explicit OpenSslCsrParser(OpenSslCsrParserOptions options = {}) : options_(options) {}
  // The full decode only (no fast path): what the fast path must equal.
  static OpenSslCsrParserOptions FullDecodeOnly() { return OpenSslCsrParserOptions{false}; }

  // Accepts PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or
  // base64 DER.
  absl::StatusOr<app::DecodedCsr> Parse(const std::string& text) const override;

  // Parses the fast path answered (for the tests: proof it is taken).
  int64_t fast_parses() const { return fast_parses_.load(std::memory_order_relaxed); }

 private:
  const OpenSslCsrParserOptions options_;
  mutable std::atomic<int64_t> fast_parses_{0};
};

}  // namespace sslpanel::workflow::csr
