// The secrets keys a service was started with: one current key that seals
// every new value, and older keys that only open values sealed before a
// rotation. Without a current key (no --secrets_key_file: local and dev
// runs) values are stored as they are, and only unsealed values can be read.
// With a current key, values written before encryption existed (no envelope
// prefix) are refused at read, naming nothing of them: only `migrate`, which
// seals them, reads them (OpenForSealing).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/envelope.h"

namespace sslpanel::crypto {

// Fills `out` with `size` unpredictable bytes.
using RandomBytes = std::function<absl::Status(unsigned char* out, size_t size)>;

// OpenSSL's RAND_bytes.
absl::Status OpenSslRandomBytes(unsigned char* out, size_t size);

class Keyring {
 public:
  // No keys: stores plaintext.
  Keyring() = default;

  // `current` seals, `current` and `old` open. Duplicate keys are dropped;
  // INVALID_ARGUMENT for a key of the wrong size.
  static absl::StatusOr<Keyring> Create(std::optional<SecretKey> current,
                                        std::vector<SecretKey> old,
                                        RandomBytes random = OpenSslRandomBytes);

  // True when new values are sealed (a current key is configured).
  bool seals() const { return current_.has_value(); }
  // The current key's id, "" without one.
  std::string current_key_id() const { return current_.has_value() ? current_->id : ""; }
  // Every key that opens (current first).
  const std::vector<SecretKey>& keys() const { return keys_; }

  // The value to store: an envelope under the current key, or `plaintext`
  // itself without one (INVALID_ARGUMENT if it would then read back as an
  // envelope).
  absl::StatusOr<std::string> Seal(absl::string_view plaintext, absl::string_view context) const;

  // The plaintext of a stored value: an envelope opened with the key it
  // names (errors as OpenEnvelope). A value that is not an envelope is
  // returned as it is without a current key, and UNAVAILABLE with one (a
  // plaintext row is never used once sealing is on; migrate seals it).
  absl::StatusOr<std::string> Open(absl::string_view stored, absl::string_view context) const;
  // As Open, but a plaintext value is returned as it is: only for the
  // migrate step that seals it.
  absl::StatusOr<std::string> OpenForSealing(absl::string_view stored,
                                             absl::string_view context) const;

  // True when `stored` should be written again under the current key: it is
  // not sealed, or sealed with another key. False without a current key.
  bool NeedsReseal(absl::string_view stored) const;

 private:
  std::optional<SecretKey> current_;
  std::vector<SecretKey> keys_;
  RandomBytes random_ = OpenSslRandomBytes;
};

// Reads a key file: the base64 of 32 random bytes (`openssl rand -base64 32`),
// surrounding whitespace ignored. INVALID_ARGUMENT naming `flag` and the file
// when it cannot be read or does not hold such a key; never echoes the
// contents. The decoded bytes are wiped once copied into the key.
absl::StatusOr<SecretKey> ReadKeyFile(absl::string_view flag, const std::string& path);

// Why a key file is readable by others than the service, if it is: by every
// user, or by its group although the service owns it (a Kubernetes Secret
// volume's root-owned 0440 file, read through the fsGroup, is fine).
// ReadKeyFile logs it as a warning.
std::optional<std::string> KeyFileTooOpen(const std::string& path);

// The keyring for --secrets_key_file (may be empty: no encryption) and
// --secrets_old_key_files (comma-separated files or directories; every file
// in a directory whose name does not start with "." is a key, as Kubernetes
// mounts a Secret). Old keys without a current key are refused: rows sealed
// with them could be read but new ones would be stored in plaintext.
absl::StatusOr<Keyring> LoadKeyring(const std::string& current_file,
                                    const std::vector<std::string>& old_paths);

}  // namespace sslpanel::crypto
