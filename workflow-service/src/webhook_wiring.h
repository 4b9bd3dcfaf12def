// Webhooks wired into the workflow service: the store, the libcurl target
// check and sender, the use cases the API serves, the dispatcher thread, the
// delivery workers and the retention sweep. main() makes one, hands app() to
// the API, and starts and stops it beside its other loops.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/crypto/keyring.h"
#include "common/mysql/mysql.h"
#include "common/time/clock.h"
#include "prometheus/registry.h"
#include "workflow-service/src/app/webhook_dispatcher.h"
#include "workflow-service/src/app/webhook_worker.h"
#include "workflow-service/src/app/webhooks.h"
#include "workflow-service/src/app/work_loop.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/webhook_config.h"

namespace sslpanel::workflow {

struct WebhookWiring {
  WebhookConfig config;
  mysql::ConnectionPool* pool = nullptr;
  app::EventFeed* feed = nullptr;
  const Clock* clock = nullptr;
  prometheus::Registry* metrics = nullptr;
  std::function<double()> jitter;  // [0, 1)
  std::string owner;               // this replica's name on leases
  absl::Duration request_retention = absl::Hours(24 * 30);
  absl::Duration sweep_interval = absl::Seconds(5);
};

class WebhookRuntime {
 public:
  // Reads the secrets keyring flags (--secrets_key_file).
  static absl::StatusOr<std::unique_ptr<WebhookRuntime>> Create(WebhookWiring wiring);
  ~WebhookRuntime();

  app::WebhookApp& app() { return *app_; }
  // The dispatcher, the delivery workers and the retention sweep.
  void Start();
  void RequestStop();
  void Stop();

 private:
  explicit WebhookRuntime(WebhookWiring wiring, crypto::Keyring keyring);

  WebhookWiring wiring_;
  crypto::Keyring keyring_;
  storage::MysqlWebhookStore store_;
  webhooks::CurlWebhooks net_;
  app::WebhookMetrics metrics_;
  std::unique_ptr<app::WebhookApp> app_;
  app::WebhookDispatcher dispatcher_;
  app::WebhookWorker worker_;
  app::WorkLoop deliveries_;
  app::WorkLoop sweep_;
  std::atomic<bool> stop_{false};
  std::thread dispatch_thread_;
};

}  // namespace sslpanel::workflow
