#include "workflow-service/src/app/webhook_signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::app {

absl::StatusOr<std::string> NewWebhookSecret(const crypto::RandomBytes& random) {
  unsigned char bytes[kWebhookSecretBytes];
  if (absl::Status s = random(bytes, sizeof bytes); !s.ok()) {
    return s;
  }
  std::string secret = absl::StrCat(
      kWebhookSecretPrefix,
      absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes)));
  OPENSSL_cleanse(bytes, sizeof bytes);
  return secret;
}

absl::StatusOr<std::string> SignWebhook(absl::string_view secret, absl::string_view webhook_id,
                                        int64_t timestamp, absl::string_view body) {
  std::string key;
  if (!absl::StartsWith(secret, kWebhookSecretPrefix) ||
      !absl::Base64Unescape(secret.substr(sizeof(kWebhookSecretPrefix) - 1), &key) || key.empty()) {
    return absl::InvalidArgumentError("secret: not \"whsec_\" followed by base64");
  }
  const std::string message = absl::StrCat(webhook_id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_size);
  OPENSSL_cleanse(key.data(), key.size());
  if (ok == nullptr) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  return absl::StrCat(
      "v1,", absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(mac), mac_size)));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> WebhookHeaders(
    absl::string_view webhook_id, int64_t timestamp, absl::string_view body,
    const std::vector<std::string>& secrets) {
  std::string signatures;
  for (const std::string& secret : secrets) {
    absl::StatusOr<std::string> signature = SignWebhook(secret, webhook_id, timestamp, body);
    if (!signature.ok()) {
      return signature.status();
    }
    absl::StrAppend(&signatures, signatures.empty() ? "" : " ", *signature);
  }
  if (signatures.empty()) {
    return absl::InvalidArgumentError("secret: none to sign with");
  }
  return std::vector<std::pair<std::string, std::string>>{
      {"webhook-id", std::string(webhook_id)},
      {"webhook-timestamp", absl::StrCat(timestamp)},
      {"webhook-signature", signatures},
  };
}

}  // namespace sslpanel::workflow::app
