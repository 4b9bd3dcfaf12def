#include "ca-adapter/src/acme/jose.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/x509/openssl_util.h"

namespace sslpanel::ca::acme {
namespace {

using nlohmann::json;
using x509::OpenSslErrors;

constexpr size_t kCoordinateBytes = 32;  // P-256

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

std::string Sha256(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::string BignumBytes(const BIGNUM* bn, size_t width) {
  std::string out(width, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(width));
  return out;
}

absl::StatusOr<std::string> Member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("JWK has no \"", name, "\""));
  }
  return it->get<std::string>();
}

// A P-256 key from its coordinates and, for a private key, `d`.
absl::StatusOr<std::shared_ptr<EVP_PKEY>> BuildKey(const std::string& x, const std::string& y,
                                                   const std::string* d) {
  if (x.size() != kCoordinateBytes || y.size() != kCoordinateBytes) {
    return absl::InvalidArgumentError("P-256 coordinates must be 32 bytes");
  }
  std::string point = absl::StrCat("\x04", x, y);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  x509::BignumPtr private_bn;
  OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
  OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  if (d != nullptr) {
    private_bn.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(d->data()),
                               static_cast<int>(d->size()), nullptr));
    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_PRIV_KEY, private_bn.get());
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
  x509::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  const bool ok =
      params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
      EVP_PKEY_fromdata(ctx.get(), &key, d != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params) == 1;
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat("not a P-256 key: ", OpenSslErrors()));
  }
  std::shared_ptr<EVP_PKEY> shared = Share(key);
  if (d != nullptr) {
    // A private scalar that does not belong to the public point would sign
    // with a key nobody can verify: refuse it here.
    x509::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (check == nullptr || EVP_PKEY_pairwise_check(check.get()) != 1) {
      OpenSslErrors();
      return absl::InvalidArgumentError("the private key does not match the public point");
    }
  }
  return shared;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view data) { return absl::WebSafeBase64Escape(data); }

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  std::string out;
  if (!absl::WebSafeBase64Unescape(text, &out)) {
    return absl::InvalidArgumentError("not base64url");
  }
  return out;
}

absl::StatusOr<std::string> JwkThumbprint(const json& jwk) {
  absl::StatusOr<std::string> kty = Member(jwk, "kty");
  if (!kty.ok()) {
    return kty.status();
  }
  std::vector<const char*> required;
  if (*kty == "EC") {
    required = {"crv", "kty", "x", "y"};
  } else if (*kty == "RSA") {
    required = {"e", "kty", "n"};
  } else if (*kty == "oct") {
    required = {"k", "kty"};
  } else {
    return absl::InvalidArgumentError(absl::StrCat("JWK key type \"", *kty, "\" unknown"));
  }
  // nlohmann::json objects keep their members sorted and dump() writes no
  // whitespace: exactly RFC 7638's canonical form.
  json canonical = json::object();
  for (const char* name : required) {
    absl::StatusOr<std::string> value = Member(jwk, name);
    if (!value.ok()) {
      return value.status();
    }
    canonical[name] = *value;
  }
  return Base64UrlEncode(Sha256(canonical.dump()));
}

absl::StatusOr<EcKey> EcKey::Generate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) {
    return absl::InternalError(absl::StrCat("EC key generation: ", OpenSslErrors()));
  }
  return EcKey(Share(key));
}

absl::StatusOr<EcKey> EcKey::FromPem(absl::string_view pem) {
  x509::BioPtr bio = x509::MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("account key is not a PEM private key: ", OpenSslErrors()));
  }
  std::shared_ptr<EVP_PKEY> shared = Share(key);
  char group[32] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
      EVP_PKEY_get_group_name(key, group, sizeof(group), &length) != 1 ||
      (std::string(group, length) != "prime256v1" && std::string(group, length) != "P-256")) {
    OpenSslErrors();
    return absl::InvalidArgumentError("account key must be an EC P-256 key");
  }
  return EcKey(std::move(shared));
}

absl::StatusOr<EcKey> EcKey::FromJwk(const json& jwk) {
  // Member, not json::value(): value() throws on a JWK that is not an object
  // or has a non-string "kty" (found by fuzz/jose_fuzzer.cc).
  if (Member(jwk, "kty").value_or("") != "EC" || Member(jwk, "crv").value_or("") != "P-256") {
    return absl::InvalidArgumentError("JWK must be an EC P-256 key");
  }
  absl::StatusOr<std::string> x = Member(jwk, "x");
  absl::StatusOr<std::string> y = Member(jwk, "y");
  absl::StatusOr<std::string> d = Member(jwk, "d");
  for (const auto* part : {&x, &y, &d}) {
    if (!part->ok()) {
      return part->status();
    }
  }
  absl::StatusOr<std::string> xb = Base64UrlDecode(*x);
  absl::StatusOr<std::string> yb = Base64UrlDecode(*y);
  absl::StatusOr<std::string> db = Base64UrlDecode(*d);
  if (!xb.ok() || !yb.ok() || !db.ok()) {
    return absl::InvalidArgumentError("JWK members must be base64url");
  }
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = BuildKey(*xb, *yb, &*db);
  if (!key.ok()) {
    return key.status();
  }
  return EcKey(*std::move(key));
}

std::string EcKey::ToPem() const {
  x509::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return x509::BioContents(bio.get());
}

json EcKey::PublicJwk() const {
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x);
  EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y);
  json jwk = {{"crv", "P-256"},
              {"kty", "EC"},
              {"x", Base64UrlEncode(BignumBytes(x, kCoordinateBytes))},
              {"y", Base64UrlEncode(BignumBytes(y, kCoordinateBytes))}};
  BN_free(x);
  BN_free(y);
  return jwk;
}

std::string EcKey::Thumbprint() const { return *JwkThumbprint(PublicJwk()); }

absl::StatusOr<std::string> EcKey::SignEs256(absl::string_view input) const {
  x509::MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return absl::InternalError(absl::StrCat("ES256 signing: ", OpenSslErrors()));
  }
  std::string der(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return absl::InternalError(absl::StrCat("ES256 signing: ", OpenSslErrors()));
  }
  // OpenSSL writes an ASN.1 ECDSA-Sig-Value; JWS wants R || S, 32 bytes each.
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length));
  if (sig == nullptr) {
    return absl::InternalError("ES256 signature does not parse");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string raw = BignumBytes(r, kCoordinateBytes) + BignumBytes(s, kCoordinateBytes);
  ECDSA_SIG_free(sig);
  return raw;
}

bool VerifyEs256(const json& public_jwk, absl::string_view input, absl::string_view signature) {
  if (signature.size() != 2 * kCoordinateBytes) {
    return false;
  }
  absl::StatusOr<std::string> x = Member(public_jwk, "x");
  absl::StatusOr<std::string> y = Member(public_jwk, "y");
  if (!x.ok() || !y.ok()) {
    return false;
  }
  absl::StatusOr<std::string> xb = Base64UrlDecode(*x);
  absl::StatusOr<std::string> yb = Base64UrlDecode(*y);
  if (!xb.ok() || !yb.ok()) {
    return false;
  }
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = BuildKey(*xb, *yb, nullptr);
  if (!key.ok()) {
    return false;
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig,
      BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()), kCoordinateBytes,
                nullptr),
      BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()) + kCoordinateBytes,
                kCoordinateBytes, nullptr));
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  x509::MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      der_length > 0 &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) == 1 &&
      EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_length),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  OPENSSL_free(der);
  OpenSslErrors();
  return ok;
}

std::string HmacSha256(absl::string_view key, absl::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

absl::StatusOr<json> SignJws(const EcKey& key, const json& protected_header,
                             absl::string_view payload) {
  const std::string encoded_header = Base64UrlEncode(protected_header.dump());
  const std::string encoded_payload = Base64UrlEncode(payload);
  absl::StatusOr<std::string> signature =
      key.SignEs256(absl::StrCat(encoded_header, ".", encoded_payload));
  if (!signature.ok()) {
    return signature.status();
  }
  return json{{"protected", encoded_header},
              {"payload", encoded_payload},
              {"signature", Base64UrlEncode(*signature)}};
}

json SignHs256Jws(absl::string_view hmac_key, const json& protected_header,
                  absl::string_view payload) {
  const std::string encoded_header = Base64UrlEncode(protected_header.dump());
  const std::string encoded_payload = Base64UrlEncode(payload);
  return json{{"protected", encoded_header},
              {"payload", encoded_payload},
              {"signature", Base64UrlEncode(HmacSha256(
                                hmac_key, absl::StrCat(encoded_header, ".", encoded_payload)))}};
}

std::string KeyAuthorization(absl::string_view token, absl::string_view thumbprint) {
  return absl::StrCat(token, ".", thumbprint);
}

std::string Dns01TxtValue(absl::string_view key_authorization) {
  return Base64UrlEncode(Sha256(key_authorization));
}

}  // namespace sslpanel::ca::acme
