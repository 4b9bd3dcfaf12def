// The workflow's CSR parser and key checks on customer-supplied text (the
// csr field of CreateOrder and DecodeCsr): PEM or base64 DER.
#include <cstdlib>

#include "fuzz/fuzz.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

// The parser reads the key of a good CSR without OpenSSL's decoder (its fast
// path); it must answer exactly as the full decode does, for any input.
SSLPANEL_FUZZ_TARGET {
  static const sslpanel::workflow::csr::OpenSslCsrParser parser;
  static const sslpanel::workflow::csr::OpenSslCsrParser full(/*full_decode_only=*/true);
  const std::string text = sslpanel::fuzz::Text(data, size);
  const auto fast = parser.Parse(text);
  const auto slow = full.Parse(text);
  if (fast.ok() != slow.ok() || (fast.ok() && !(*fast == *slow)) ||
      (!fast.ok() && fast.status() != slow.status())) {
    std::abort();
  }
  return 0;
}
