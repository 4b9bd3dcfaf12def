// The CA adapters' CSR checks (SubmitOrder's csr, re-read from storage) and
// the names they take from an accepted one.
#include "ca-adapter/src/x509/csr.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  absl::StatusOr<sslpanel::ca::x509::CsrInfo> csr =
      sslpanel::ca::x509::ParseCsr(sslpanel::fuzz::Text(data, size));
  if (csr.ok()) {
    (void)sslpanel::ca::x509::CsrNames(*csr);
  }
  return 0;
}
