// Standard Webhooks signing (https://www.standardwebhooks.com): secrets are
// "whsec_" + base64 of random bytes; a message is signed as
// "v1,<base64 HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}">"
// with the decoded secret. OpenSSL computes the HMAC, Abseil the base64:
// only the string layout of the specification is written here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/keyring.h"

namespace sslpanel::workflow::app {

inline constexpr char kWebhookSecretPrefix[] = "whsec_";
inline constexpr int kWebhookSecretBytes = 32;

// A new secret: "whsec_" + base64 of 32 bytes from `random`.
absl::StatusOr<std::string> NewWebhookSecret(const crypto::RandomBytes& random);

// "v1,<base64 signature>" of one message under `secret`; INVALID_ARGUMENT
// when the secret is not "whsec_" + base64.
absl::StatusOr<std::string> SignWebhook(absl::string_view secret, absl::string_view webhook_id,
                                        int64_t timestamp, absl::string_view body);

// The three headers of one attempt, signed with every secret in `secrets`
// (the current one first; a rotation's previous one beside it), the
// signatures space-separated as the specification lists them.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> WebhookHeaders(
    absl::string_view webhook_id, int64_t timestamp, absl::string_view body,
    const std::vector<std::string>& secrets);

}  // namespace sslpanel::workflow::app
