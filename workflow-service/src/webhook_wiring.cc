#include "workflow-service/src/webhook_wiring.h"

#include "common/crypto/keyring_flags.h"
#include "common/log/log.h"
#include "workflow-service/src/grpc/webhook_convert.h"

namespace sslpanel::workflow {

absl::StatusOr<std::unique_ptr<WebhookRuntime>> WebhookRuntime::Create(WebhookWiring wiring) {
  auto keyring = crypto::KeyringFromFlags();
  if (!keyring.ok()) {
    return keyring.status();
  }
  return std::unique_ptr<WebhookRuntime>(
      new WebhookRuntime(std::move(wiring), *std::move(keyring)));
}

WebhookRuntime::WebhookRuntime(WebhookWiring wiring, crypto::Keyring keyring)
    : wiring_(std::move(wiring)),
      keyring_(std::move(keyring)),
      store_(*wiring_.pool, keyring_),
      net_(wiring_.config.targets),
      metrics_(*wiring_.metrics),
      app_(std::make_unique<app::WebhookApp>(store_, *wiring_.feed, net_,
                                             crypto::OpenSslRandomBytes, *wiring_.clock)),
      dispatcher_(store_, *wiring_.feed, grpc_api::WebhookPayload, *wiring_.clock, metrics_,
                  app::DispatcherOptions{wiring_.owner}),
      worker_(store_, net_, *wiring_.clock, wiring_.jitter, metrics_,
              app::WorkerOptions{wiring_.owner, wiring_.config.retry, wiring_.config.timeout}),
      deliveries_("webhooks", wiring_.config.workers, absl::Milliseconds(250),
                  [this](int limit) -> absl::StatusOr<std::vector<app::WorkLoop::Task>> {
                    auto claimed = worker_.Claim(limit);
                    if (!claimed.ok()) {
                      return claimed.status();
                    }
                    std::vector<app::WorkLoop::Task> tasks;
                    for (app::ClaimedDelivery& d : *claimed) {
                      tasks.push_back([this, d] { worker_.Attempt(d); });
                    }
                    return tasks;
                  }),
      sweep_("webhook-retention", 1, wiring_.sweep_interval,
             [this](int) -> absl::StatusOr<std::vector<app::WorkLoop::Task>> {
               const absl::Time now = wiring_.clock->Now();
               // Bounded batches; a large backlog goes over several sweeps.
               auto purged = store_.Purge(now - wiring_.config.snapshot_retention,
                                          now - wiring_.request_retention,
                                          now - wiring_.config.delivery_retention, 1000);
               if (!purged.ok()) {
                 log::Warning("webhook retention sweep failed", {{"error", purged.status()}});
               }
               return std::vector<app::WorkLoop::Task>{};
             }) {}

WebhookRuntime::~WebhookRuntime() { Stop(); }

void WebhookRuntime::Start() {
  dispatch_thread_ = std::thread([this] { dispatcher_.Run(stop_); });
  deliveries_.Start();
  sweep_.Start();
}

void WebhookRuntime::RequestStop() {
  stop_ = true;
  deliveries_.RequestStop();
  sweep_.RequestStop();
}

void WebhookRuntime::Stop() {
  RequestStop();
  if (dispatch_thread_.joinable()) {
    dispatch_thread_.join();
  }
  deliveries_.Stop();
  sweep_.Stop();
}

}  // namespace sslpanel::workflow
