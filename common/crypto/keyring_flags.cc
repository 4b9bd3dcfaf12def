#include "common/crypto/keyring_flags.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, secrets_key_file, "",
          "file holding the key that encrypts the secrets this service stores in its database "
          "(AES-256-GCM; the base64 of 32 random bytes: openssl rand -base64 32); empty: they are "
          "stored unencrypted (local runs only)");
ABSL_FLAG(std::vector<std::string>, secrets_old_key_files, {},
          "comma-separated key files, or directories of key files, that only decrypt: the keys "
          "used before --secrets_key_file was rotated (migrate re-encrypts with the current key)");

namespace sslpanel::crypto {

absl::StatusOr<Keyring> KeyringFromFlags() {
  absl::StatusOr<Keyring> keyring = LoadKeyring(absl::GetFlag(FLAGS_secrets_key_file),
                                                absl::GetFlag(FLAGS_secrets_old_key_files));
  if (!keyring.ok()) {
    return keyring.status();
  }
  if (!keyring->seals()) {
    log::Warning("no --secrets_key_file: stored secrets are not encrypted (local runs only)", {});
    return keyring;
  }
  std::vector<std::string> ids;
  for (const SecretKey& key : keyring->keys()) {
    ids.push_back(key.id);
  }
  log::Info("secrets keys loaded",
            {{"current_key_id", keyring->current_key_id()}, {"key_ids", absl::StrJoin(ids, ",")}});
  return keyring;
}

}  // namespace sslpanel::crypto
