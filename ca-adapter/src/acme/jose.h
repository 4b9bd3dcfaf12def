// The JOSE pieces ACME (RFC 8555 section 6.2) needs, on OpenSSL: base64url
// (RFC 7515 section 2), an EC P-256 account key with its JWK (RFC 7517) and
// JWK thumbprint (RFC 7638), flattened JWS signatures with ES256, and HS256
// for external account binding.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sslpanel::ca::acme {

// Base64url without padding.
std::string Base64UrlEncode(absl::string_view data);
// Accepts input with or without padding; INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

// RFC 7638: SHA-256 over the key's required members in lexicographic order
// without whitespace (EC: crv, kty, x, y; RSA: e, kty, n; oct: k, kty),
// base64url. INVALID_ARGUMENT for another key type or a missing member.
absl::StatusOr<std::string> JwkThumbprint(const nlohmann::json& jwk);

// An ECDSA P-256 key (the ACME account key). Copyable (shares the key).
class EcKey {
 public:
  static absl::StatusOr<EcKey> Generate();
  // PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY" PEM.
  static absl::StatusOr<EcKey> FromPem(absl::string_view pem);
  // A private JWK with crv P-256, x, y and d.
  static absl::StatusOr<EcKey> FromJwk(const nlohmann::json& jwk);

  std::string ToPem() const;
  // {"crv":"P-256","kty":"EC","x":...,"y":...}
  nlohmann::json PublicJwk() const;
  std::string Thumbprint() const;
  // ES256 (RFC 7518 section 3.4): the 64-byte R || S of an ECDSA P-256
  // signature over SHA-256 of `input`.
  absl::StatusOr<std::string> SignEs256(absl::string_view input) const;

 private:
  explicit EcKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// True when `signature` (R || S, 64 bytes) is a valid ES256 signature of
// `input` by the public JWK.
bool VerifyEs256(const nlohmann::json& public_jwk, absl::string_view input,
                 absl::string_view signature);

// HMAC-SHA256 (the HS256 JWS algorithm) of `input` with `key`.
std::string HmacSha256(absl::string_view key, absl::string_view input);

// A JWS in the flattened JSON serialization (RFC 7515 section 7.2.2), as ACME
// sends it: {"protected": b64u(header), "payload": b64u(payload),
// "signature": b64u(sig)}. An empty payload stays "" (POST-as-GET).
absl::StatusOr<nlohmann::json> SignJws(const EcKey& key, const nlohmann::json& protected_header,
                                       absl::string_view payload);
nlohmann::json SignHs256Jws(absl::string_view hmac_key, const nlohmann::json& protected_header,
                            absl::string_view payload);

// RFC 8555 section 8.1: token "." base64url(JWK thumbprint).
std::string KeyAuthorization(absl::string_view token, absl::string_view thumbprint);
// RFC 8555 section 8.4: the TXT value of a dns-01 challenge,
// base64url(SHA-256(key authorization)).
std::string Dns01TxtValue(absl::string_view key_authorization);

}  // namespace sslpanel::ca::acme
