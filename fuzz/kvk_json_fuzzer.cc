// The KvK API's answers as the client reads them: every body goes through the
// search, profile and error parsers (the client picks one by URL and status;
// a registry or a proxy in between may send any of them anywhere).
#include "clients/kvk_json.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  const std::string body = sslpanel::fuzz::Text(data, size);
  (void)sslpanel::prevalidation::clients::ParseZoeken(body);
  (void)sslpanel::prevalidation::clients::ParseBasisprofiel(body);
  (void)sslpanel::prevalidation::clients::ParseFout(body);
  return 0;
}
