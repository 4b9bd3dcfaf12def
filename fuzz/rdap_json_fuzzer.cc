// RDAP domain objects (SIDN's answers) as the client reads them.
#include "clients/rdap_json.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  (void)sslpanel::prevalidation::clients::ParseRdapDomain(sslpanel::fuzz::Text(data, size),
                                                          "voorbeeld.nl");
  return 0;
}
