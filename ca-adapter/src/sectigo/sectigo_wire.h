// The Sectigo reseller API's wire format (shared/ca-contracts/
// sectigo-reseller-api.md): the endpoints, form-encoded request bodies, and
// the two reply formats every endpoint may use — newline text (line 1 the
// code, line 2 the message or first value) and URL-encoded pairs
// ("errorCode=-3&errorMessage=..."). Pure C++: no HTTP, no OpenSSL.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::ca::sectigo {

enum class Endpoint {
  kAutoApplySsl,
  kCollectSsl,
  kAutoReplaceSsl,
  kAutoRevokeSsl,
  kResendDcvEmail,
  kAutoUpdateDcv,
  kGetDcvEmailAddressList,
  kWebHostReport,
};

// The path under the base URL: "!AutoApplySSL", "download/CollectSSL", ...
absl::string_view EndpointPath(Endpoint endpoint);
// "AutoApplySSL", for logs and messages.
absl::string_view EndpointName(Endpoint endpoint);

using Form = std::vector<std::pair<std::string, std::string>>;

// Whether `needle` occurs in `text`, ASCII case ignored.
bool ContainsIgnoreCase(absl::string_view text, absl::string_view needle);

// application/x-www-form-urlencoded ("a=b&c=d", spaces as %20).
std::string EncodeForm(const Form& form);
// A form with the values of `secret_names` replaced by "***", for logs.
std::string RedactedForm(const Form& form, const std::vector<std::string>& secret_names);

// One reply in either format. The code decides success: >= 0 is success.
struct Reply {
  int error_code = 0;
  std::string error_message;  // "" on success
  bool url_encoded = false;
  // URL-encoded replies: every pair in order, decoded (keys kept as sent;
  // Get compares them case-insensitively, as the contract suspects the CA
  // does).
  std::vector<std::pair<std::string, std::string>> fields;
  // Newline replies: the lines after the code (trailing '\r' removed).
  std::vector<std::string> lines;

  // First value of `name` (case-insensitive), or "".
  std::string Get(absl::string_view name) const;
  bool Has(absl::string_view name) const;
  // Every value of a repeated key, in order ("caCertificate").
  std::vector<std::string> GetAll(absl::string_view name) const;
};

// Parses either format. INVALID_ARGUMENT for an empty or garbled body (the
// caller treats that as an answer it could not read, never as a refusal).
absl::StatusOr<Reply> ParseReply(absl::string_view body);

}  // namespace sslpanel::ca::sectigo
