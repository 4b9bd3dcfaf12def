// The workflow's CSR parser and key checks on customer-supplied text (the
// csr field of CreateOrder and DecodeCsr): PEM or base64 DER.
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "fuzz/fuzz.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

// The parser reads the key of a good CSR without OpenSSL's decoder (its fast
// path); it must answer exactly as the full decode does, for any input.
// An input that starts as a DER SEQUENCE with a long-form length (30 81 or
// 30 82: not text) is the request itself, handed over as base64 DER, so
// the DER seeds (*.der) are mutated as structure, not as PEM text.
SSLPANEL_FUZZ_TARGET {
  static const sslpanel::workflow::csr::OpenSslCsrParser parser;
  static const sslpanel::workflow::csr::OpenSslCsrParser full(
      sslpanel::workflow::csr::OpenSslCsrParser::FullDecodeOnly());
  std::string text = sslpanel::fuzz::Text(data, size);
  if (size > 2 && data[0] == 0x30 && (data[1] == 0x81 || data[1] == 0x82)) {
    text = absl::Base64Escape(text);
  }
  const auto fast = parser.Parse(text);
  const auto slow = full.Parse(text);
  if (fast.ok() != slow.ok() || (fast.ok() && !(*fast == *slow)) ||
      (!fast.ok() && fast.status() != slow.status())) {
    std::abort();
  }
  return 0;
}
