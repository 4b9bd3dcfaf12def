#include "workflow-service/src/config.h"

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/server_flags.h"
#include "common/mysql/db_flags.h"
#include "workflow-service/src/grpc/outbound.h"

ABSL_FLAG(bool, new_installation_id, false,
          "migrate only: give this database a new installation id, the prefix of the "
          "idempotency keys it sends to CA adapters (after restoring a backup or copying a "
          "database that another workflow installation keeps using); stop the workflow first");
ABSL_FLAG(std::string, products_file, "", "product catalogue (JSON); required");
ABSL_FLAG(std::string, ca_adapters, "",
          "CA adapters by name: name=host:port,... (names as in the product catalogue)");
ABSL_FLAG(std::string, prevalidation_address, "",
          "host:port of the prevalidation service; empty: Dutch OV/EV orders wait for it");
ABSL_FLAG(std::string, upstream_tls_ca_file, "",
          "PEM CA the CA adapters' and the prevalidation service's certificates must chain to; "
          "set: those calls use TLS and check the server's name; empty: plaintext");
ABSL_FLAG(std::string, upstream_tls_cert_file, "",
          "PEM client certificate for those calls (mutual TLS; with --upstream_tls_key_file)");
ABSL_FLAG(std::string, upstream_tls_key_file, "", "PEM private key of --upstream_tls_cert_file");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(30),
          "deadline of every call to a CA adapter or the prevalidation service");
ABSL_FLAG(bool, processing, true,
          "run the background loops (outbox delivery, CA status sync, expiry, SLA)");
ABSL_FLAG(int, outbox_workers, 8, "concurrent outbox deliveries per process");
ABSL_FLAG(int, poll_workers, 4, "concurrent CA status checks per process");
ABSL_FLAG(int, adapter_concurrency, 8, "CA status checks in flight per adapter and process");
ABSL_FLAG(absl::Duration, idle_wait, absl::Milliseconds(250),
          "how long an idle loop waits before looking for due work again");
ABSL_FLAG(absl::Duration, event_gap_timeout, absl::Minutes(3),
          "the event feed skips a hole in the event ids it cannot prove absent after this long "
          "(ERROR log, sslpanel_event_gaps_skipped_total); an event committing later is not "
          "streamed");
ABSL_FLAG(absl::Duration, event_poll_interval, absl::Milliseconds(150),
          "how often the event feed reads order_events while a stream waits: events written by "
          "other replicas arrive within about this long");
ABSL_FLAG(int, max_event_streams, 256,
          "WatchOrderEvents streams open at once in this process; more are refused with "
          "RESOURCE_EXHAUSTED (clients retry, or go to another replica)");
ABSL_FLAG(absl::Duration, sweep_interval, absl::Seconds(5), "how often expiry and SLA sweeps run");
ABSL_FLAG(absl::Duration, lease, absl::Seconds(60),
          "how long a claimed row stays with this process before others may take it");
ABSL_FLAG(absl::Duration, retry_max, absl::Minutes(5), "longest backoff between retries");
ABSL_FLAG(absl::Duration, poll_min, absl::Seconds(1), "shortest interval between CA checks");
ABSL_FLAG(absl::Duration, poll_max, absl::Minutes(10), "longest interval between CA checks");
ABSL_FLAG(absl::Duration, sla_working, absl::Minutes(15),
          "an order waiting on prevalidation, CA acceptance or cancellation longer is stuck");
ABSL_FLAG(absl::Duration, sla_requested, absl::Hours(72),
          "an order waiting for issuance longer is stuck");
ABSL_FLAG(std::string, replica_id, "", "this replica's name on leased rows (default host-pid)");
ABSL_FLAG(absl::Duration, outbox_retention, absl::Hours(24 * 7),
          "finished outbox rows are deleted after this long");
ABSL_FLAG(absl::Duration, request_id_retention, absl::Hours(24 * 30),
          "request ids are remembered this long; an older replay acts as a new request");

namespace sslpanel::workflow {
namespace {

absl::Status Positive(const char* flag, absl::Duration value) {
  if (value <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be positive"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MigrateConfig> MigrateConfigFromFlags() {
  MigrateConfig config;
  auto database = mysql::MysqlConfigFromFlags("sslpanel_workflow");
  if (!database.ok()) {
    return database.status();
  }
  config.database = *database;
  config.new_installation_id = absl::GetFlag(FLAGS_new_installation_id);
  return config;
}

absl::StatusOr<WorkflowConfig> WorkflowConfigFromFlags() {
  WorkflowConfig config;
  if (absl::GetFlag(FLAGS_new_installation_id)) {
    return absl::InvalidArgumentError(
        "new_installation_id: only with the migrate command (workflow-service migrate "
        "--new_installation_id)");
  }
  auto server = grpc_util::ServerConfigFromFlags("workflow-service", "127.0.0.1:50051");
  if (!server.ok()) {
    return server.status();
  }
  config.server = *server;
  auto database = mysql::MysqlConfigFromFlags("sslpanel_workflow");
  if (!database.ok()) {
    return database.status();
  }
  config.database = *database;
  config.products_file = absl::GetFlag(FLAGS_products_file);
  auto adapters = grpc_api::ParseAdapterList(absl::GetFlag(FLAGS_ca_adapters));
  if (!adapters.ok()) {
    return adapters.status();
  }
  config.ca_adapters = *adapters;
  config.prevalidation_address = absl::GetFlag(FLAGS_prevalidation_address);
  config.upstream_tls.ca_file = absl::GetFlag(FLAGS_upstream_tls_ca_file);
  config.upstream_tls.cert_file = absl::GetFlag(FLAGS_upstream_tls_cert_file);
  config.upstream_tls.key_file = absl::GetFlag(FLAGS_upstream_tls_key_file);
  if (absl::Status valid = config.upstream_tls.Validate("--upstream_tls"); !valid.ok()) {
    return valid;
  }
  config.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  config.processing = absl::GetFlag(FLAGS_processing);
  config.outbox_workers = absl::GetFlag(FLAGS_outbox_workers);
  config.poll_workers = absl::GetFlag(FLAGS_poll_workers);
  config.idle_wait = absl::GetFlag(FLAGS_idle_wait);
  config.sweep_interval = absl::GetFlag(FLAGS_sweep_interval);
  config.event_gap_timeout = absl::GetFlag(FLAGS_event_gap_timeout);
  config.event_poll_interval = absl::GetFlag(FLAGS_event_poll_interval);
  config.max_event_streams = absl::GetFlag(FLAGS_max_event_streams);
  if (config.max_event_streams < 1) {
    return absl::InvalidArgumentError("--max_event_streams must be at least 1");
  }
  app::ProcessingOptions& p = config.processing_options;
  p.lease = absl::GetFlag(FLAGS_lease);
  p.retry_max = absl::GetFlag(FLAGS_retry_max);
  p.poll_min = absl::GetFlag(FLAGS_poll_min);
  p.poll_max = absl::GetFlag(FLAGS_poll_max);
  p.adapter_concurrency = absl::GetFlag(FLAGS_adapter_concurrency);
  p.outbox_retention = absl::GetFlag(FLAGS_outbox_retention);
  p.request_id_retention = absl::GetFlag(FLAGS_request_id_retention);
  p.owner = absl::GetFlag(FLAGS_replica_id);
  if (p.owner.empty()) {
    char host[64] = {0};
    gethostname(host, sizeof(host) - 1);
    p.owner = absl::StrCat(host, "-", getpid());
  }
  config.sla.working = absl::GetFlag(FLAGS_sla_working);
  config.sla.requested = absl::GetFlag(FLAGS_sla_requested);

  if (config.products_file.empty()) {
    return absl::InvalidArgumentError("--products_file is required");
  }
  for (const auto& [flag, value] : std::vector<std::pair<const char*, absl::Duration>>{
           {"call_timeout", config.call_timeout},
           {"idle_wait", config.idle_wait},
           {"sweep_interval", config.sweep_interval},
           {"event_gap_timeout", config.event_gap_timeout},
           {"event_poll_interval", config.event_poll_interval},
           {"lease", p.lease},
           {"retry_max", p.retry_max},
           {"poll_min", p.poll_min},
           {"poll_max", p.poll_max},
           {"sla_working", config.sla.working},
           {"sla_requested", config.sla.requested}}) {
    if (absl::Status s = Positive(flag, value); !s.ok()) {
      return s;
    }
  }
  if (p.poll_min > p.poll_max) {
    return absl::InvalidArgumentError("--poll_min must not exceed --poll_max");
  }
  if (p.lease <= config.call_timeout) {
    return absl::InvalidArgumentError(
        "--lease must be longer than --call_timeout, or a slow call would let another replica "
        "deliver the same row at the same time");
  }
  if (config.outbox_workers < 1 || config.outbox_workers > 64 || config.poll_workers < 1 ||
      config.poll_workers > 64 || p.adapter_concurrency < 1) {
    return absl::InvalidArgumentError(
        "--outbox_workers and --poll_workers must be 1..64, --adapter_concurrency at least 1");
  }
  auto webhooks = WebhookConfigFromFlags();
  if (!webhooks.ok()) {
    return webhooks.status();
  }
  config.webhooks = *std::move(webhooks);
  const int workers = config.outbox_workers + config.poll_workers + config.webhooks.workers;
  if (config.database.pool_size < workers + 2) {
    // Each worker holds a connection while it records an outcome.
    config.database.pool_size = workers + 4;
  }
  return config;
}

}  // namespace sslpanel::workflow
