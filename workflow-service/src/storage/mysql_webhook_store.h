// The MySQL implementation of the webhook store: subscriptions (secrets
// sealed with the keyring), their request records, deliveries with leases
// as in the outbox, and the dispatcher's cursor. Subscriptions and requests
// live in mysql_webhook_store.cc, the operator's view of deliveries and
// their attempts in mysql_webhook_deliveries.cc, the dispatcher's cursor and
// claims in mysql_webhook_dispatch.cc.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/crypto/keyring.h"
#include "common/mysql/mysql.h"
#include "workflow-service/src/app/webhook_ports.h"

namespace sslpanel::workflow::storage {

class MysqlWebhookStore final : public app::WebhookStore {
 public:
  MysqlWebhookStore(mysql::ConnectionPool& pool, const crypto::Keyring& secrets)
      : pool_(pool), secrets_(secrets) {}

  absl::StatusOr<app::WebhookSubscription> CreateSubscription(
      const app::NewSubscription& subscription, const std::string& secret,
      const std::function<absl::StatusOr<int64_t>()>& watermark, const app::WebhookRequest& request,
      absl::Time now) override;
  absl::StatusOr<app::WebhookSubscription> GetSubscription(int64_t id) override;
  absl::StatusOr<std::vector<app::WebhookSubscription>> ListSubscriptions(int64_t after_id,
                                                                          int limit) override;
  absl::StatusOr<app::WebhookSubscription> UpdateSubscription(int64_t id,
                                                              const app::SubscriptionChange& change,
                                                              const app::WebhookRequest& request,
                                                              absl::Time now) override;
  absl::Status DeleteSubscription(int64_t id, const app::WebhookRequest& request,
                                  absl::Time now) override;
  absl::StatusOr<std::optional<app::WebhookRequest>> FindRequest(
      const std::string& request_id) override;

  absl::StatusOr<std::vector<app::WebhookDelivery>> ListDeliveries(
      const app::DeliveryQuery& query) override;
  absl::StatusOr<app::WebhookDelivery> GetDelivery(int64_t id) override;
  absl::StatusOr<app::WebhookDelivery> Redeliver(int64_t id, const app::WebhookRequest& request,
                                                 absl::Time now) override;
  absl::StatusOr<app::WebhookDelivery> Dismiss(int64_t id, const app::WebhookRequest& request,
                                               absl::Time now) override;

  absl::StatusOr<bool> AcquireDispatch(const std::string& owner, absl::Time now,
                                       absl::Duration lease) override;
  absl::StatusOr<int64_t> DispatchPosition() override;
  absl::StatusOr<int> Dispatch(const std::string& owner, int64_t from, int64_t to,
                               const std::function<absl::StatusOr<std::vector<app::NewDelivery>>(
                                   const std::vector<app::DispatchTarget>&)>& build,
                               absl::Time now) override;
  absl::StatusOr<std::optional<std::string>> GetSnapshot(int64_t order_id,
                                                         int64_t version) override;

  absl::StatusOr<std::vector<app::ClaimedDelivery>> ClaimDue(absl::Time now, int limit,
                                                             absl::Duration lease,
                                                             const std::string& owner) override;
  absl::Status FinishAttempt(int64_t id, const app::AttemptRecord& attempt) override;
  absl::StatusOr<int64_t> Purge(absl::Time snapshots_before, absl::Time requests_before,
                                absl::Time finished_before, int limit) override;

 private:
  // Runs `fn` in one transaction (errors reported as ConnectionPool::Run
  // does) and, when it returns OK, records `request` in the same transaction
  // before committing. `what` names the operation.
  absl::Status RunRecorded(absl::string_view what, const app::WebhookRequest& request,
                           absl::Time now, const std::function<absl::Status(sql::Connection&)>& fn);

  mysql::ConnectionPool& pool_;
  const crypto::Keyring& secrets_;
};

// Shared by the two halves: the request record, written in the caller's
// transaction (ALREADY_EXISTS naming request_id on a duplicate). Throws
// sql::SQLException for anything else.
absl::Status InsertWebhookRequest(mysql::ConnectionPool& pool, sql::Connection& conn,
                                  const crypto::Keyring& secrets,
                                  const app::WebhookRequest& request, absl::Time now);

// The keyring context of webhook secrets.
inline constexpr char kWebhookSecretContext[] = "sslpanel.webhook_subscriptions.secret";

// The migrate step for webhook secrets (webhook_subscriptions.secret and
// .previous_secret, webhook_requests.secret): seals the ones stored in
// plaintext before a key was configured and re-seals the ones under an old
// key, with `secrets`' current key. Without a current key it does nothing.
// A row is written only if it still holds what was read (a replica that
// sealed it meanwhile wins). Returns how many values were written.
absl::StatusOr<int> SealWebhookSecrets(mysql::ConnectionPool& pool, const crypto::Keyring& secrets);

}  // namespace sslpanel::workflow::storage
