#include "common/crypto/keyring.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::crypto {
namespace {

bool Contains(const std::vector<SecretKey>& keys, const SecretKey& key) {
  return std::any_of(keys.begin(), keys.end(),
                     [&key](const SecretKey& k) { return k.id == key.id; });
}

// The files a --secrets_old_key_files entry names: the file itself, or the
// visible regular files of a directory, in name order.
absl::StatusOr<std::vector<std::string>> KeyFilesAt(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    return std::vector<std::string>{path};
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] != '.' && entry.is_regular_file(error)) {
      files.push_back(entry.path().string());
    }
  }
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("--secrets_old_key_files: cannot list directory \"", path, "\""));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

absl::Status OpenSslRandomBytes(unsigned char* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    return absl::InternalError("OpenSSL's random generator failed");
  }
  return absl::OkStatus();
}

absl::StatusOr<Keyring> Keyring::Create(std::optional<SecretKey> current,
                                        std::vector<SecretKey> old, RandomBytes random) {
  Keyring keyring;
  keyring.random_ = std::move(random);
  if (current.has_value()) {
    old.insert(old.begin(), *current);
  }
  for (SecretKey& key : old) {
    if (key.bytes.size() != kKeyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("secrets key ", key.id, " is not ", kKeyBytes, " bytes"));
    }
    if (!Contains(keyring.keys_, key)) {
      keyring.keys_.push_back(std::move(key));
    }
  }
  if (current.has_value()) {
    keyring.current_ = keyring.keys_.front();
  }
  return keyring;
}

absl::StatusOr<std::string> Keyring::Seal(absl::string_view plaintext,
                                          absl::string_view context) const {
  if (!current_.has_value()) {
    if (IsEnvelope(plaintext)) {
      return absl::InvalidArgumentError(
          "a secret that looks like an envelope cannot be stored without --secrets_key_file");
    }
    return std::string(plaintext);
  }
  std::string nonce(kNonceBytes, '\0');
  if (absl::Status drawn = random_(reinterpret_cast<unsigned char*>(nonce.data()), nonce.size());
      !drawn.ok()) {
    return drawn;
  }
  return SealEnvelope(*current_, nonce, plaintext, context);
}

absl::StatusOr<std::string> Keyring::Open(absl::string_view stored,
                                          absl::string_view context) const {
  if (!IsEnvelope(stored) && current_.has_value()) {
    // With sealing on, a plaintext row is either from before encryption
    // (migrate seals it) or was written behind the service's back: never
    // used, so nobody can plant a value the service would trust.
    return absl::UnavailableError(
        "stored secret is not sealed although --secrets_key_file is set; it is not used: "
        "run migrate with the same key files to seal it");
  }
  return OpenForSealing(stored, context);
}

absl::StatusOr<std::string> Keyring::OpenForSealing(absl::string_view stored,
                                                    absl::string_view context) const {
  if (!IsEnvelope(stored)) {
    return std::string(stored);
  }
  return OpenEnvelope(keys_, stored, context);
}

bool Keyring::NeedsReseal(absl::string_view stored) const {
  if (!current_.has_value()) {
    return false;
  }
  absl::StatusOr<std::string> id = EnvelopeKeyId(stored);
  return !id.ok() || *id != current_->id;
}

absl::StatusOr<SecretKey> ReadKeyFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read \"", path, "\""));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  std::string text = contents.str();
  std::string key;
  const bool decoded = absl::Base64Unescape(absl::StripAsciiWhitespace(text), &key);
  OPENSSL_cleanse(text.data(), text.size());
  if (!decoded || key.size() != kKeyBytes) {
    OPENSSL_cleanse(key.data(), key.size());
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", path, "\" does not hold a secrets key (the base64 of ",
                     kKeyBytes, " random bytes: openssl rand -base64 32)"));
  }
  absl::StatusOr<SecretKey> made = MakeSecretKey(key);
  OPENSSL_cleanse(key.data(), key.size());
  if (std::optional<std::string> loose = KeyFileTooOpen(path); loose.has_value()) {
    log::Warning("a secrets key file is readable by others than this service",
                 {{"flag", flag}, {"file", path}, {"problem", *loose}});
  }
  return made;
}

std::optional<std::string> KeyFileTooOpen(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  if ((st.st_mode & S_IROTH) != 0) {
    return "readable by every user (mode o+r): chmod 0400 or 0440";
  }
  // A Kubernetes Secret volume gives the file to root and the pod's
  // fsGroup (defaultMode 0440): the group is how the service reads it. A
  // file the service owns itself needs no group.
  if ((st.st_mode & S_IRGRP) != 0 && st.st_uid == ::geteuid()) {
    return "readable by its group although this service owns it (mode g+r): chmod 0400";
  }
  return std::nullopt;
}

absl::StatusOr<Keyring> LoadKeyring(const std::string& current_file,
                                    const std::vector<std::string>& old_paths) {
  std::optional<SecretKey> current;
  if (!current_file.empty()) {
    absl::StatusOr<SecretKey> key = ReadKeyFile("--secrets_key_file", current_file);
    if (!key.ok()) {
      return key.status();
    }
    current = *std::move(key);
  }
  std::vector<SecretKey> old;
  for (const std::string& path : old_paths) {
    if (path.empty()) {
      continue;
    }
    if (!current.has_value()) {
      return absl::InvalidArgumentError(
          "--secrets_old_key_files needs --secrets_key_file (the key new values are sealed with)");
    }
    absl::StatusOr<std::vector<std::string>> files = KeyFilesAt(path);
    if (!files.ok()) {
      return files.status();
    }
    for (const std::string& file : *files) {
      absl::StatusOr<SecretKey> key = ReadKeyFile("--secrets_old_key_files", file);
      if (!key.ok()) {
        return key.status();
      }
      old.push_back(*std::move(key));
    }
  }
  return Keyring::Create(std::move(current), std::move(old));
}

}  // namespace sslpanel::crypto
