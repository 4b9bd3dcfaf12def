// The workflow's CSR parser and key checks on customer-supplied text (the
// csr field of CreateOrder and DecodeCsr): PEM or base64 DER.
#include "fuzz/fuzz.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

SSLPANEL_FUZZ_TARGET {
  static const sslpanel::workflow::csr::OpenSslCsrParser parser;
  (void)parser.Parse(sslpanel::fuzz::Text(data, size));
  return 0;
}
