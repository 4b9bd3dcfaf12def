// ca-adapter-sandbox: a self-contained CA for local runs, demos and load
// tests behind sslpanel.ca.v1.CaAdapterService. Wiring only.
#include "absl/flags/flag.h"
#include "ca-adapter/src/sandbox/sandbox_adapter.h"
#include "ca-adapter/src/server/adapter_main.h"

ABSL_FLAG(std::string, ca_dir, "sandbox-ca",
          "directory of the sandbox CA's root.pem/root.key/issuing.pem/issuing.key; a new CA "
          "is created there when it holds none of them");
ABSL_FLAG(absl::Duration, issue_delay, absl::Seconds(2),
          "time from submission to issuance (or refusal); 0 = at the first status poll");
ABSL_FLAG(std::string, refuse_label, "refuse",
          "orders with a name carrying this label are refused (refuse.example.com)");
ABSL_FLAG(std::string, pending_label, "pending",
          "orders with a name carrying this label stay pending for ever");
ABSL_FLAG(std::string, issue_on_cancel_label, "cancelrace",
          "orders with a name carrying this label stay pending until a cancellation arrives "
          "and are issued at that moment, so the cancellation is refused as for an issued "
          "order (forces the cancel-versus-issuance race)");
ABSL_FLAG(std::string, short_validity_label, "shortlived",
          "orders with a name carrying this label get --short_validity certificates");
ABSL_FLAG(std::string, lost_answer_label, "lostanswer",
          "new submissions with a name carrying this label answer \"outcome unknown\" (the "
          "ca-outcome-unknown hold) until ResolveSubmission settles them");
ABSL_FLAG(absl::Duration, short_validity, absl::Seconds(20),
          "validity of certificates for names with --short_validity_label");
ABSL_FLAG(absl::Duration, cancel_delay, absl::ZeroDuration(),
          "time until a cancel or revoke is confirmed; 0 = confirmed in the response");

int main(int argc, char** argv) {
  namespace ca = sslpanel::ca;
  return ca::server::RunAdapter(
      argc, argv,
      {"ca-adapter-sandbox", "127.0.0.1:50053", "sslpanel_ca_sandbox",
       [](sslpanel::mysql::ConnectionPool& pool, const sslpanel::Clock& clock,
          ca::app::RandomSource& random, prometheus::Registry&) {
         ca::sandbox::SandboxConfig config;
         config.ca_dir = absl::GetFlag(FLAGS_ca_dir);
         config.behaviour.issue_delay = absl::GetFlag(FLAGS_issue_delay);
         config.behaviour.refuse_label = absl::GetFlag(FLAGS_refuse_label);
         config.behaviour.pending_label = absl::GetFlag(FLAGS_pending_label);
         config.behaviour.issue_on_cancel_label = absl::GetFlag(FLAGS_issue_on_cancel_label);
         config.behaviour.short_validity_label = absl::GetFlag(FLAGS_short_validity_label);
         config.behaviour.short_validity = absl::GetFlag(FLAGS_short_validity);
         config.behaviour.lost_answer_label = absl::GetFlag(FLAGS_lost_answer_label);
         config.behaviour.cancel_delay = absl::GetFlag(FLAGS_cancel_delay);
         return ca::sandbox::MakeSandboxBackend(config, pool, clock, random);
       }});
}
