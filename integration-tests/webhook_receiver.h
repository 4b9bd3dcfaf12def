// The node webhook receiver (integration-tests/webhook-receiver/receiver.js)
// as a subprocess of a test: HTTPS on a free loopback port with a certificate
// from a throw-away CA (give the workflow its ca_file), every request verified
// with npm standardwebhooks, told to fail and read back through its admin API.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/testing/subprocess.h"

namespace sslpanel::integration {

// One request the receiver got, as it recorded it.
struct ReceivedWebhook {
  int seq = 0;
  std::string path;  // the URL's path and query
  std::string webhook_id;
  int64_t webhook_timestamp = 0;  // the webhook-timestamp header (Unix seconds)
  int64_t at_ms = 0;              // when the receiver got it (Unix milliseconds)
  int attempt = 0;                // of this webhook-id, as the receiver counted them
  int signatures = 0;             // entries in webhook-signature
  bool verified = false;
  std::vector<std::string> verified_by;  // the names of the secrets that verified it
  std::string errors;                    // JSON: why the other secrets did not
  std::string type;                      // the body's "type"
  std::string event_id;
  std::string event_type;
  std::string order_id;
  int64_t order_version = -1;      // -1: not in the payload
  std::string certificate_status;  // of the event's certificate, in the payload's order
  int answered = 0;                // HTTP status sent back; 0: none (timeout)
  std::string raw_headers;         // JSON, with raw
  std::string raw_body;            // with raw
  bool accepted() const { return verified && answered >= 200 && answered < 300; }
};

class WebhookReceiver {
 public:
  // Issues a certificate for IP:127.0.0.1 from a new CA written to
  // dir/webhook-ca.pem, and starts the receiver.
  static absl::StatusOr<std::unique_ptr<WebhookReceiver>> Start(const std::string& dir);

  // The URL to subscribe ("https://127.0.0.1:<port>/hook").
  std::string url() const;
  // The CA file the workflow must trust (--webhook_ca_file).
  const std::string& ca_file() const { return ca_file_; }

  // Replaces the secrets it verifies with (name -> "whsec_...").
  absl::Status SetSecrets(const std::map<std::string, std::string>& secrets);
  // Replaces its behaviour; `json` as receiver.js documents it (e.g.
  // {"fail_first": 2}, {"mode": "fail"}, {"delay_ms": 50}).
  absl::Status SetBehaviour(const std::string& json);
  // Everything received, in arrival order; `raw` adds headers and bodies.
  absl::StatusOr<std::vector<ReceivedWebhook>> Received(bool raw = false);

  testing::Subprocess& process() { return *process_; }

 private:
  WebhookReceiver() = default;
  absl::StatusOr<std::string> Admin(const std::string& method, const std::string& path,
                                    const std::string& body);

  std::string ca_file_;
  int port_ = 0;
  int admin_port_ = 0;
  std::unique_ptr<testing::Subprocess> process_;
};

}  // namespace sslpanel::integration
