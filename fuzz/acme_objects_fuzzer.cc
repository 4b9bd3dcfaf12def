// An ACME CA's resources (directory, order, authorization with its
// challenges) and Link headers, read as the ACME client reads them.
#include <nlohmann/json.hpp>

#include "absl/strings/str_split.h"
#include "ca-adapter/src/acme/acme_objects.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  using namespace sslpanel::ca::acme;
  const std::string text = sslpanel::fuzz::Text(data, size);
  // The body may arrive as anything; the client parses it without exceptions.
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_discarded()) {
    (void)ParseDirectory(body, "https://ca.test/dir");
    (void)ParseOrder("https://ca.test/order/1", body);
    (void)ParseAuthorization("https://ca.test/authz/1", body);
  }
  const std::vector<std::string> links = absl::StrSplit(text, '\n');
  (void)LinkWithRel(links, "next");
  (void)LinkWithRel(links, "up");
  return 0;
}
