// ca-adapter-acme: sslpanel.ca.v1.CaAdapterService for an RFC 8555 (ACME)
// CA: Let's Encrypt, Pebble, or a commercial CA with external account
// binding. Wiring only.
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "ca-adapter/src/acme/acme_adapter.h"
#include "ca-adapter/src/server/adapter_main.h"

ABSL_FLAG(std::string, directory_url, "https://127.0.0.1:14000/dir",
          "the ACME server's directory URL");
ABSL_FLAG(std::string, ca_bundle, "",
          "PEM file of CA certificates to trust for the ACME server's TLS; empty = system store");
ABSL_FLAG(std::string, contact_email, "", "contact address registered with the ACME account");
ABSL_FLAG(std::string, eab_kid, "", "external account binding key id (commercial CAs)");
ABSL_FLAG(std::string, eab_hmac_key_file, "",
          "file holding the external account binding MAC key (base64url)");
ABSL_FLAG(std::string, ca_name, "ACME CA", "human name of the CA, reported by GetCapabilities");
ABSL_FLAG(absl::Duration, challenge_delay, absl::ZeroDuration(),
          "time after submission before the CA is asked to validate (for the customer to "
          "publish the DNS record or file); 0 = at once");
ABSL_FLAG(absl::Duration, max_poll_wait, absl::Seconds(5),
          "longest one GetOrderStatus waits for an order the CA is issuing");
ABSL_FLAG(std::string, default_challenge, "dns-01",
          "challenge for names without a DCV choice: dns-01 or http-01");
ABSL_FLAG(absl::Duration, ca_request_timeout, absl::Seconds(10),
          "timeout of each HTTP request to the ACME server");
ABSL_FLAG(int, ca_max_attempts, 3,
          "attempts per ACME request that is safe to repeat (transport errors, 5xx)");

int main(int argc, char** argv) {
  namespace ca = sslpanel::ca;
  return ca::server::RunAdapter(
      argc, argv,
      {"ca-adapter-acme", "127.0.0.1:50054", "sslpanel_ca_acme",
       [](sslpanel::mysql::ConnectionPool& pool, const sslpanel::Clock& clock,
          ca::app::RandomSource& random) -> absl::StatusOr<std::shared_ptr<ca::app::CaBackend>> {
         ca::acme::AcmeConfig config;
         config.directory_url = absl::GetFlag(FLAGS_directory_url);
         config.ca_bundle = absl::GetFlag(FLAGS_ca_bundle);
         config.contact_email = absl::GetFlag(FLAGS_contact_email);
         config.eab_kid = absl::GetFlag(FLAGS_eab_kid);
         config.eab_hmac_key_file = absl::GetFlag(FLAGS_eab_hmac_key_file);
         config.request_timeout = absl::GetFlag(FLAGS_ca_request_timeout);
         config.max_attempts = absl::GetFlag(FLAGS_ca_max_attempts);
         config.backend.ca_name = absl::GetFlag(FLAGS_ca_name);
         config.backend.driver.challenge_delay = absl::GetFlag(FLAGS_challenge_delay);
         config.backend.driver.max_poll_wait = absl::GetFlag(FLAGS_max_poll_wait);
         const std::string challenge = absl::GetFlag(FLAGS_default_challenge);
         if (challenge != "dns-01" && challenge != "http-01") {
           return absl::InvalidArgumentError("--default_challenge must be dns-01 or http-01");
         }
         config.backend.driver.default_method =
             challenge == "http-01" ? ca::domain::DcvMethod::kHttp : ca::domain::DcvMethod::kDns;
         absl::StatusOr<ca::acme::AcmeParts> parts =
             ca::acme::MakeAcmeBackend(config, pool, clock, random);
         if (!parts.ok()) {
           return parts.status();
         }
         return parts->backend;
       }});
}
