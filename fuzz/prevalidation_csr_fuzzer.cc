// The prevalidation service's reading of a CSR's subject (CheckOrganization's
// csr field).
#include "csr/csr_subject.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  (void)sslpanel::prevalidation::csr::DecodeCsrSubject(sslpanel::fuzz::Text(data, size));
  return 0;
}
