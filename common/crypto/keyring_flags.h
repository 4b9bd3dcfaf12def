// The secrets-at-rest flags (--secrets_key_file, --secrets_old_key_files)
// for the binaries that store secrets in their database; main() only.
#pragma once

#include "absl/status/statusor.h"
#include "common/crypto/keyring.h"

namespace sslpanel::crypto {

// The keyring the flags name (INVALID_ARGUMENT naming the flag and file when
// a key cannot be read), after logging which key ids were loaded, or a
// warning that secrets are stored unencrypted when no key is given.
absl::StatusOr<Keyring> KeyringFromFlags();

}  // namespace sslpanel::crypto
