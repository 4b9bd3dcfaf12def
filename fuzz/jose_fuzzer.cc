// JOSE as an ACME server checks what we send (and as any JWS verifier here
// would): a flattened JWS whose protected header carries the JWK, its
// thumbprint and ES256 signature; private JWKs; base64url.
#include <nlohmann/json.hpp>

#include "ca-adapter/src/acme/jose.h"
#include "fuzz/fuzz.h"

namespace {

using nlohmann::json;
using sslpanel::ca::acme::Base64UrlDecode;

std::string Member(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

SSLPANEL_FUZZ_TARGET {
  using namespace sslpanel::ca::acme;
  const std::string text = sslpanel::fuzz::Text(data, size);
  (void)Base64UrlDecode(text);
  const json jws = json::parse(text, nullptr, false);
  if (jws.is_discarded()) {
    return 0;
  }
  (void)EcKey::FromJwk(jws);
  (void)JwkThumbprint(jws);
  const std::string encoded_header = Member(jws, "protected");
  absl::StatusOr<std::string> header_text = Base64UrlDecode(encoded_header);
  absl::StatusOr<std::string> payload = Base64UrlDecode(Member(jws, "payload"));
  absl::StatusOr<std::string> signature = Base64UrlDecode(Member(jws, "signature"));
  if (!header_text.ok() || !payload.ok() || !signature.ok()) {
    return 0;
  }
  const json header = json::parse(*header_text, nullptr, false);
  if (header.is_discarded() || !header.is_object() || !header.contains("jwk")) {
    return 0;
  }
  const json& jwk = header["jwk"];
  (void)JwkThumbprint(jwk);
  (void)VerifyEs256(jwk, encoded_header + "." + Member(jws, "payload"), *signature);
  return 0;
}
