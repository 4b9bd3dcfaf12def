// Secrets at rest: AES-256-GCM envelopes for values a service stores in its
// database (an ACME account key, CA credentials, webhook secrets). The
// envelope names the key it was sealed with, so keys can rotate while old
// rows stay readable:
//
//   v1:<key id>:<base64(nonce | ciphertext | tag)>
//
// with a random 96-bit nonce per seal, a 128-bit tag, and as associated data
// "v1:<key id>:" followed by a caller-chosen context (the table, column and
// row), so neither the header nor the row can change: a ciphertext copied
// into another row does not open there. Pure functions of
// their inputs; the nonce comes from the caller (Keyring draws it).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::crypto {

inline constexpr size_t kKeyBytes = 32;    // AES-256
inline constexpr size_t kNonceBytes = 12;  // 96-bit GCM nonce
inline constexpr size_t kTagBytes = 16;
inline constexpr char kEnvelopePrefix[] = "v1:";

// One data-encryption key. The id is derived from the key bytes (KeyIdOf),
// so operators never name keys and two different keys never share an id.
struct SecretKey {
  std::string id;     // 16 lowercase hex digits
  std::string bytes;  // kKeyBytes raw bytes
};

// 16 hex digits of SHA-256 over a label and the key: identifies the key
// without revealing anything usable about it.
std::string KeyIdOf(absl::string_view key_bytes);

// A key from its raw bytes; INVALID_ARGUMENT unless exactly kKeyBytes.
absl::StatusOr<SecretKey> MakeSecretKey(absl::string_view key_bytes);

// True when `stored` has the envelope form's prefix (anything else is a
// value written before encryption, or without a key).
bool IsEnvelope(absl::string_view stored);

// The key id an envelope names; DATA_LOSS when it is not well formed.
absl::StatusOr<std::string> EnvelopeKeyId(absl::string_view envelope);

// Seals `plaintext` under `key` with `nonce` (kNonceBytes; never reuse one
// with the same key). `context` is authenticated, not stored.
absl::StatusOr<std::string> SealEnvelope(const SecretKey& key, absl::string_view nonce,
                                         absl::string_view plaintext, absl::string_view context);

// Opens an envelope with the key it names, found in `keys`.
// FAILED_PRECONDITION when no key has its id (the message names the id, and
// which keys were given); DATA_LOSS when it is malformed or does not
// authenticate (tampered, wrong key, or another row's value). Never says
// anything about the plaintext.
absl::StatusOr<std::string> OpenEnvelope(const std::vector<SecretKey>& keys,
                                         absl::string_view envelope, absl::string_view context);

}  // namespace sslpanel::crypto
