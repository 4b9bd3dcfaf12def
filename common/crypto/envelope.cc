#include "common/crypto/envelope.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sslpanel::crypto {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

bool IsHexId(absl::string_view id) {
  if (id.size() != 16) {
    return false;
  }
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

struct Parsed {
  std::string key_id;
  std::string nonce;
  std::string ciphertext;
  std::string tag;
};

absl::StatusOr<Parsed> Parse(absl::string_view envelope) {
  if (!IsEnvelope(envelope)) {
    return absl::DataLossError("stored secret is not a v1 envelope");
  }
  absl::string_view rest = envelope.substr(sizeof(kEnvelopePrefix) - 1);
  const size_t colon = rest.find(':');
  if (colon == absl::string_view::npos || !IsHexId(rest.substr(0, colon))) {
    return absl::DataLossError("stored secret envelope has no valid key id");
  }
  std::string raw;
  if (!absl::Base64Unescape(rest.substr(colon + 1), &raw) || raw.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError("stored secret envelope body is not base64 of nonce|ciphertext|tag");
  }
  Parsed parsed;
  parsed.key_id = std::string(rest.substr(0, colon));
  parsed.nonce = raw.substr(0, kNonceBytes);
  parsed.ciphertext = raw.substr(kNonceBytes, raw.size() - kNonceBytes - kTagBytes);
  parsed.tag = raw.substr(raw.size() - kTagBytes);
  return parsed;
}

const SecretKey* FindKey(const std::vector<SecretKey>& keys, absl::string_view id) {
  for (const SecretKey& key : keys) {
    if (key.id == id) {
      return &key;
    }
  }
  return nullptr;
}

std::string KnownIds(const std::vector<SecretKey>& keys) {
  if (keys.empty()) {
    return "none (no --secrets_key_file)";
  }
  return absl::StrJoin(keys, ", ",
                       [](std::string* out, const SecretKey& key) { out->append(key.id); });
}

// What GCM authenticates besides the ciphertext: the envelope's version and
// key id as stored, then the caller's context, so neither the header nor the
// row can be changed without the tag failing.
std::string AssociatedData(absl::string_view key_id, absl::string_view context) {
  return absl::StrCat(kEnvelopePrefix, key_id, ":", context);
}

// AES-256-GCM decryption; false when the tag does not verify (the partial
// plaintext is then wiped).
bool Decrypt(const SecretKey& key, const Parsed& parsed, absl::string_view context,
             std::string& plaintext) {
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  plaintext.assign(parsed.ciphertext.size(), '\0');
  std::string tag = parsed.tag;
  const std::string aad = AssociatedData(parsed.key_id, context);
  const bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key.bytes), Bytes(parsed.nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), Bytes(plaintext), &len, Bytes(parsed.ciphertext),
                        static_cast<int>(parsed.ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), Bytes(plaintext) + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    plaintext.clear();
  }
  return ok;
}

}  // namespace

std::string KeyIdOf(absl::string_view key_bytes) {
  const std::string input =
      absl::StrCat("sslpanel secrets key id v1", absl::string_view("\0", 1), key_bytes);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(Bytes(input), input.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

absl::StatusOr<SecretKey> MakeSecretKey(absl::string_view key_bytes) {
  if (key_bytes.size() != kKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a secrets key must be ", kKeyBytes,
                                                   " bytes (AES-256), not ", key_bytes.size()));
  }
  return SecretKey{KeyIdOf(key_bytes), std::string(key_bytes)};
}

bool IsEnvelope(absl::string_view stored) { return absl::StartsWith(stored, kEnvelopePrefix); }

absl::StatusOr<std::string> EnvelopeKeyId(absl::string_view envelope) {
  absl::StatusOr<Parsed> parsed = Parse(envelope);
  if (!parsed.ok()) {
    return parsed.status();
  }
  return parsed->key_id;
}

absl::StatusOr<std::string> SealEnvelope(const SecretKey& key, absl::string_view nonce,
                                         absl::string_view plaintext, absl::string_view context) {
  if (key.bytes.size() != kKeyBytes || nonce.size() != kNonceBytes) {
    return absl::InternalError("secrets key or nonce of the wrong size");
  }
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  const std::string aad = AssociatedData(key.id, context);
  std::string body(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  body.replace(0, kNonceBytes, nonce.data(), nonce.size());
  unsigned char* out = Bytes(body) + kNonceBytes;
  int len = 0;
  int total = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key.bytes), Bytes(nonce)) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      (total = len, EVP_EncryptFinal_ex(ctx.get(), out + total, &len) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + plaintext.size()) == 1;
  if (!ok) {
    return absl::InternalError("AES-256-GCM encryption failed");
  }
  return absl::StrCat(kEnvelopePrefix, key.id, ":", absl::Base64Escape(body));
}

absl::StatusOr<std::string> OpenEnvelope(const std::vector<SecretKey>& keys,
                                         absl::string_view envelope, absl::string_view context) {
  absl::StatusOr<Parsed> parsed = Parse(envelope);
  if (!parsed.ok()) {
    return parsed.status();
  }
  const SecretKey* key = FindKey(keys, parsed->key_id);
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("stored secret is sealed with key ", parsed->key_id,
                     ", which none of the configured secrets keys is (loaded: ", KnownIds(keys),
                     "); give that key with --secrets_key_file or --secrets_old_key_files"));
  }
  std::string plaintext;
  if (!Decrypt(*key, *parsed, context, plaintext)) {
    return absl::DataLossError(absl::StrCat("stored secret does not authenticate under key ",
                                            key->id, " (altered, or copied from another row)"));
  }
  return plaintext;
}

}  // namespace sslpanel::crypto
