// ca-adapter-acme: sslpanel.ca.v1.CaAdapterService for an RFC 8555 (ACME)
// CA: Let's Encrypt, Pebble, or a commercial CA with external account
// binding. Wiring only.
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "ca-adapter/src/acme/acme_adapter.h"
#include "ca-adapter/src/server/adapter_main.h"
#include "common/crypto/keyring_flags.h"

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
          "least time after submission before the CA is asked to validate; 0 = as soon as the "
          "pre-flight sees the record (or at once without one)");
ABSL_FLAG(bool, challenge_preflight, true,
          "answer a challenge only once the adapter itself sees the customer's TXT record "
          "(dns-01) or file (http-01); false only for a CA that validates everything, such as "
          "Pebble with PEBBLE_VA_ALWAYS_VALID=1");
ABSL_FLAG(std::string, preflight_dns_server, "",
          "IPv4 address[:port] of the DNS resolver the pre-flight asks; empty = the system's");
ABSL_FLAG(absl::Duration, preflight_timeout, absl::Seconds(3),
          "timeout of each pre-flight DNS lookup or HTTP fetch");
ABSL_FLAG(std::string, preflight_http_address, "",
          "tests only: host:port to fetch every http-01 file from (the name goes in the Host "
          "header) instead of the name's public addresses");
ABSL_FLAG(std::string, resume_without_orders_list, "fail",
          "when a submit whose newOrder answer was lost is retried and the CA offers no orders "
          "list to look for that order: fail (UNAVAILABLE until an operator decides) or create "
          "(newOrder again; only for a CA that answers it with the pending order, as Let's "
          "Encrypt does)");
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
          ca::app::RandomSource& random,
          prometheus::Registry& metrics) -> absl::StatusOr<std::shared_ptr<ca::app::CaBackend>> {
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
         config.challenge_preflight = absl::GetFlag(FLAGS_challenge_preflight);
         config.preflight.dns_server = absl::GetFlag(FLAGS_preflight_dns_server);
         config.preflight.timeout = absl::GetFlag(FLAGS_preflight_timeout);
         config.preflight.http_address = absl::GetFlag(FLAGS_preflight_http_address);
         const std::string resume = absl::GetFlag(FLAGS_resume_without_orders_list);
         if (resume != "fail" && resume != "create") {
           return absl::InvalidArgumentError("--resume_without_orders_list must be fail or create");
         }
         config.backend.resume_without_orders_list =
             resume == "create" ? ca::acme::ResumeWithoutOrdersList::kCreate
                                : ca::acme::ResumeWithoutOrdersList::kFail;
         const std::string challenge = absl::GetFlag(FLAGS_default_challenge);
         if (challenge != "dns-01" && challenge != "http-01") {
           return absl::InvalidArgumentError("--default_challenge must be dns-01 or http-01");
         }
         absl::StatusOr<sslpanel::crypto::Keyring> secrets = sslpanel::crypto::KeyringFromFlags();
         if (!secrets.ok()) {
           return secrets.status();
         }
         config.secrets = *std::move(secrets);
         config.backend.driver.default_method =
             challenge == "http-01" ? ca::domain::DcvMethod::kHttp : ca::domain::DcvMethod::kDns;
         absl::StatusOr<ca::acme::AcmeParts> parts =
             ca::acme::MakeAcmeBackend(config, pool, clock, random, metrics);
         if (!parts.ok()) {
           return parts.status();
         }
         return parts->backend;
       },
       // Account keys stored before --secrets_key_file, or under a key since
       // rotated, are sealed with the current key.
       [](sslpanel::mysql::ConnectionPool& pool) -> absl::Status {
         absl::StatusOr<sslpanel::crypto::Keyring> secrets = sslpanel::crypto::KeyringFromFlags();
         if (!secrets.ok()) {
           return secrets.status();
         }
         return ca::acme::SealStoredSecrets(pool, *secrets);
       }});
}
