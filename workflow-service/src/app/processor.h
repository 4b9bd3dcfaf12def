// What the background loops do, one item at a time: deliver an outbox row
// (prevalidation or a CA call, with its stored idempotency key), check a
// certificate's status at its CA, expire certificates, flag stuck orders.
// Each outcome goes through the domain and is saved in one transaction with
// the row's completion, so a process may die at any instruction: an
// unfinished row is claimed again when its lease runs out, and the stored
// key makes the repeated call harmless.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/capability_cache.h"
#include "workflow-service/src/app/processing_ports.h"
#include "workflow-service/src/app/processor_metrics.h"
#include "workflow-service/src/app/workflow_app.h"

namespace sslpanel::workflow::app {

struct ProcessingOptions {
  std::string owner = "workflow";  // this replica, on the rows it leases
  absl::Duration lease = absl::Seconds(60);
  absl::Duration retry_base = absl::Seconds(1);
  absl::Duration retry_max = absl::Minutes(5);
  // CA status checks: often while young, then less and less often.
  absl::Duration poll_min = absl::Seconds(1);
  absl::Duration poll_max = absl::Minutes(10);
  // Calls in flight per CA adapter (polls beyond it wait their turn).
  int adapter_concurrency = 8;
  // How long finished outbox rows and request ids are kept. A request id
  // older than this is forgotten: a replay then acts as a new request.
  absl::Duration outbox_retention = absl::Hours(24 * 7);
  absl::Duration request_id_retention = absl::Hours(24 * 30);
};

class Processor {
 public:
  // `random` returns a uniform value in [0, 1) for backoff jitter; the
  // processing metrics go to `metrics`, which must outlive the processor.
  Processor(WorkflowApp& app, WorkQueue& queue, PrevalidationClient& prevalidation,
            CaRouter& adapters, const Clock& clock, ProcessingOptions options,
            std::function<double()> random, prometheus::Registry& metrics);

  absl::StatusOr<std::vector<OutboxItem>> ClaimOutbox(int limit);
  void Deliver(const OutboxItem& item);

  absl::StatusOr<std::vector<PollItem>> ClaimPolls(int limit);
  void Poll(const PollItem& item);

  // Expires due certificates; returns how many orders changed.
  int ExpireCertificates(int limit);
  // Flags orders past their SLA (logged once each); returns how many.
  int FlagStuckOrders(int limit);
  // Deletes what is past its retention; returns how many rows.
  int PurgeOld(int limit);
  // Refreshes the gauges scrapers read (outbox backlog, stuck orders).
  void UpdateGauges();

  // What the adapters declare (polling bounds, DCV operations); shared with
  // the API's use cases (WorkflowApp::set_ca_access).
  CapabilityCache& capabilities() { return capabilities_; }

 private:
  void DeliverPrevalidation(const OutboxItem& item, const OrderRecord& record, int index);
  void DeliverSubmission(const OutboxItem& item, const OrderRecord& record, int index);
  void DeliverCancellation(const OutboxItem& item, const OrderRecord& record, int index);
  void DeliverAbandon(const OutboxItem& item, const OrderRecord& record, int index);
  // DCV change or e-mail, and an operator's resolution (dcv_delivery.cc).
  void DeliverDcvOperation(const OutboxItem& item, const OrderRecord& record, int index);
  void DeliverResolution(const OutboxItem& item, const OrderRecord& record, int index);

  // What a submission's answer (submit, reissue, renew; or its replay after
  // a resolution) means, concluded under `item`. With `sent_at` (when the
  // delivery began), an acceptance the CA is still working on gets its
  // first status check from this worker right after the save: a newly
  // watched certificate is due for one at once anyway, and this way it
  // needs no claim and no load (the save leases the check to this worker,
  // as a claim would, so no status sync checks it meanwhile). Not when the
  // submission took long: the lease covers the check too.
  void ConcludeSubmission(const OutboxItem& item, const OrderRecord& record, int index,
                          const absl::StatusOr<CaAnswer>& answer,
                          std::optional<absl::Time> sent_at = std::nullopt);
  // Checks certificate `certificate_id` of `record` (just read or saved) at
  // its CA and records the answer; schedules the next check. `failures`:
  // consecutive failed checks before this one.
  void CheckStatus(const OrderRecord& record, int64_t certificate_id, int failures);
  // A retryable answer that carries a hold signal (outcome unknown, account
  // problem): the hold and its reason go on the certificate and the same key
  // is tried again later, slowly for an unknown outcome. False when the
  // answer carries none.
  bool HoldSubmission(const OutboxItem& item, const OrderRecord& record, int index,
                      const absl::Status& error);

  // Sends certificate `index`'s submission (submit, reissue or renew by its
  // kind) with `key`; with a key already used, the adapter replays its first
  // answer, which is how an abandoned submission's CA order is found.
  absl::StatusOr<CaAnswer> SendSubmission(CaClient& ca, const OrderRecord& record, int index,
                                          const std::string& key);
  // After a definite "no" to a cancellation or revocation: where the CA
  // order stands decides what the refusal means (see cancellation.cc).
  void ConcludeRefusedCancellation(const OutboxItem& item, const OrderRecord& record, int index,
                                   CaClient& ca, const absl::Status& refusal);
  // The CA refused to cancel what an abandoned submission created: find
  // the order, then settle it.
  void RevokeAbandoned(const OutboxItem& item, const OrderRecord& record, int index, CaClient& ca,
                       const absl::Status& refusal);
  // Until the abandoned CA order `reference` is final the row stays (checked
  // again with backoff); an issued one is revoked.
  void SettleAbandoned(const OutboxItem& item, CaClient& ca, const std::string& reference,
                       const absl::Status& refusal);

  // Saves `commands` with the row's completion; a stale answer finishes the
  // row, a storage failure leaves it to its lease. The saved order, when
  // saved. `first_check_at`: SaveRequest::first_check_at.
  std::optional<OrderRecord> Conclude(const OutboxItem& item, const OrderRecord& record,
                                      const std::vector<domain::Command>& commands,
                                      const std::string& actor,
                                      std::optional<PrevalidationRecord> report = {},
                                      std::optional<absl::Time> first_check_at = std::nullopt);
  // A retryable failure: back off and show the error on the certificate.
  void Retry(const OutboxItem& item, const OrderRecord& record, int index,
             const absl::Status& error);
  void Finish(const OutboxItem& item, const std::string& status, const std::string& note);
  // One more row of item's kind handled with `result`.
  void Count(const OutboxItem& item, const std::string& result);
  // A retryable failure of a row whose certificate is final: back off
  // without touching the certificate.
  void RetryQuietly(const OutboxItem& item, const absl::Status& error);

  absl::Time Backoff(int attempt, absl::Time now, const absl::Status& error) const;
  absl::Time NextPoll(const domain::Certificate& cert, const OrderRecord& record, int index,
                      absl::Time now);

  // Per-adapter concurrency: a slot, or false when the adapter is busy.
  bool AcquireSlot(const std::string& adapter);
  void ReleaseSlot(const std::string& adapter);

  WorkflowApp& app_;
  WorkQueue& queue_;
  PrevalidationClient& prevalidation_;
  CaRouter& adapters_;
  const Clock& clock_;
  ProcessingOptions options_;
  std::function<double()> random_;
  ProcessorMetrics metrics_;
  CapabilityCache capabilities_;
  std::mutex slots_mu_;
  std::map<std::string, int> busy_;
};

// Whether a failed call is the peer's definite "no" to this request: the
// answers the CA adapter contract calls final and replays for the key
// (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, OUT_OF_RANGE). Everything else —
// down, slow, busy, raced, but also misconfigured (unauthenticated, not
// implemented, unknown order) — is retried with backoff, visible on the
// order and flagged stuck past its SLA: a customer's certificate is never
// rejected because of our own configuration.
bool IsDefiniteRefusal(const absl::Status& status);

}  // namespace sslpanel::workflow::app
