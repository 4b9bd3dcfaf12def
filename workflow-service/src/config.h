// The workflow service's configuration: every flag, parsed once in main and
// validated here, each refusal naming its flag.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/server.h"
#include "common/mysql/mysql.h"
#include "workflow-service/src/app/processor.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/webhook_config.h"

namespace sslpanel::workflow {

struct WorkflowConfig {
  grpc_util::ServerConfig server;
  mysql::MysqlConfig database;
  std::string products_file;
  // Adapter name (as in the product catalogue) -> host:port.
  std::map<std::string, std::string> ca_adapters;
  std::string prevalidation_address;   // empty: prevalidation waits (visible)
  grpc_util::ChannelTls upstream_tls;  // for calls to adapters and prevalidation
  absl::Duration call_timeout = absl::Seconds(30);
  bool processing = true;  // run the background loops in this process
  int outbox_workers = 8;
  int poll_workers = 4;
  absl::Duration idle_wait = absl::Milliseconds(250);
  absl::Duration sweep_interval = absl::Seconds(5);
  app::ProcessingOptions processing_options;
  app::SlaOptions sla;
  // The event feed (WatchOrderEvents, webhooks): a hole in the event ids is
  // skipped unproven after this long (logged, counted).
  absl::Duration event_gap_timeout = absl::Minutes(3);
  // How often the feed reads the table while a reader waits (another
  // replica's events are seen within about this long).
  absl::Duration event_poll_interval = absl::Milliseconds(150);
  // WatchOrderEvents streams open at once per process; more are
  // RESOURCE_EXHAUSTED.
  int max_event_streams = 256;
  WebhookConfig webhooks;  // --webhook_* (webhook_config.h)
};

// What `workflow-service migrate` does besides applying migrations.
struct MigrateConfig {
  mysql::MysqlConfig database;
  // Give this database a new installation id (a restored or copied
  // database; see README "Idempotency keys").
  bool new_installation_id = false;
};

// The flags `migrate` reads: the database flags and --new_installation_id.
absl::StatusOr<MigrateConfig> MigrateConfigFromFlags();

// Reads and validates the flags (and the server and database flags).
absl::StatusOr<WorkflowConfig> WorkflowConfigFromFlags();

}  // namespace sslpanel::workflow
