// The ports the processing loops need: the durable work queue (outbox rows,
// certificates due for a CA status check, expiry and SLA scans) and the
// clients of the prevalidation service and the CA adapters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::app {

// A claimed outbox row.
struct OutboxItem {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t certificate_id = 0;
  domain::IntentKind kind = domain::IntentKind::kSubmitToCa;
  int submission = 0;
  std::string idempotency_key;
  std::string ref_key;  // ABANDON_AT_CA, RESOLVE_AT_CA: the key the order was submitted with
  int attempts = 0;     // including this one
  domain::IntentDetail detail;  // DCV operations and resolutions
};

// A certificate whose CA status is due for a check.
struct PollItem {
  int64_t certificate_id = 0;
  int64_t order_id = 0;
  int failures = 0;  // consecutive failed checks
};

class WorkQueue {
 public:
  virtual ~WorkQueue() = default;

  // Claims up to `limit` due outbox rows (SELECT ... FOR UPDATE SKIP LOCKED):
  // each becomes due again only after `lease`, so a claimer that dies leaves
  // its rows to the others, and counts one more attempt.
  virtual absl::StatusOr<std::vector<OutboxItem>> ClaimOutbox(absl::Time now, int limit,
                                                              absl::Duration lease,
                                                              const std::string& owner) = 0;
  // A retryable failure: due again at `due`, the error kept for operators.
  virtual absl::Status RetryOutbox(int64_t id, absl::Time due, const std::string& error,
                                   absl::Time now) = 0;
  // Finished without a state change to record: DONE, FAILED (permanent) or
  // CANCELLED (superseded before delivery).
  virtual absl::Status FinishOutbox(int64_t id, const std::string& status, const std::string& note,
                                    absl::Time now) = 0;

  // Claims up to `limit` certificates whose next CA check is due.
  virtual absl::StatusOr<std::vector<PollItem>> ClaimPolls(absl::Time now, int limit,
                                                           absl::Duration lease) = 0;
  // Sets the next check, unless the certificate stopped being watched.
  virtual absl::Status SchedulePoll(int64_t certificate_id, absl::Time next, bool failed) = 0;

  // Orders with an ACTIVE certificate whose expiration date has passed
  // (found through the (status, not_after) index).
  virtual absl::StatusOr<std::vector<int64_t>> OrdersToExpire(absl::Time now, int limit) = 0;

  // Orders whose SLA deadline has passed and that are not flagged yet
  // (through the sla_deadline index).
  virtual absl::StatusOr<std::vector<int64_t>> StuckCandidates(absl::Time now, int limit) = 0;
  // Flags the order stuck since its deadline; false when another replica
  // flagged it first or it moved on.
  virtual absl::StatusOr<bool> FlagStuck(int64_t order_id, absl::Time now) = 0;

  // Rows still to deliver (pending outbox rows), for metrics and tests.
  virtual absl::StatusOr<int64_t> OutboxBacklog() = 0;
  // Orders flagged stuck now, for metrics.
  virtual absl::StatusOr<int64_t> StuckOrders() = 0;

  // Deletes up to `limit` finished outbox rows last due before
  // `outbox_before` and up to `limit` request ids recorded before
  // `requests_before`; returns how many rows went.
  virtual absl::StatusOr<int64_t> Purge(absl::Time outbox_before, absl::Time requests_before,
                                        int limit) = 0;
};

// What the prevalidation service concluded.
struct PrevalidationAnswer {
  domain::PrevalidationOutcome outcome = domain::PrevalidationOutcome::kPass;
  std::string summary;      // the failed checks, for the event's reason
  std::string report_json;  // the full report as the API shows it
  absl::Time checked_at;
};

class PrevalidationClient {
 public:
  virtual ~PrevalidationClient() = default;
  // UNAVAILABLE / DEADLINE_EXCEEDED: retry later. INVALID_ARGUMENT: the
  // service refused the data (the customer must fix it).
  virtual absl::StatusOr<PrevalidationAnswer> Prevalidate(const domain::Order& order,
                                                          const domain::Certificate& cert) = 0;
};

// The CA's state of an order, normalised.
enum class CaState { kPending, kIssued, kRefused, kCancelled, kRevoked };

struct CaAnswer {
  CaState state = CaState::kPending;
  std::string ca_reference;
  std::string raw_status;
  std::vector<domain::DcvInstruction> dcv_instructions;
  std::optional<domain::IssuedCertificate> certificate;
  std::string refusal_reason;
};

// Attached to RESOURCE_EXHAUSTED: seconds the CA asked us to wait.
inline constexpr char kRetryAfterPayload[] = "type.sslpanel/retry-after-seconds";
// Attached to a retryable answer (the adapter's "ca-outcome-unknown" and
// "ca-account-problem" trailers): the reason of the hold it means.
inline constexpr char kOutcomeUnknownPayload[] = "type.sslpanel/ca-outcome-unknown";
inline constexpr char kAccountProblemPayload[] = "type.sslpanel/ca-account-problem";

// What an adapter declares in GetCapabilities that the workflow acts on.
struct CaCapabilities {
  bool supports_change_dcv_method = false;
  bool supports_resend_dcv_email = false;
  bool supports_list_approver_emails = false;
  // At least this long between two status checks of one order (zero: no
  // bound), and the pause after the CA said "rate limited".
  absl::Duration min_poll_interval = absl::ZeroDuration();
  absl::Duration rate_limited_backoff = absl::ZeroDuration();
};

// One CA adapter. Every mutating call carries the stored idempotency key.
class CaClient {
 public:
  virtual ~CaClient() = default;
  virtual absl::StatusOr<CaAnswer> Submit(const domain::Order& order,
                                          const domain::Certificate& cert,
                                          const std::string& product_code,
                                          const std::string& key) = 0;
  virtual absl::StatusOr<CaAnswer> Reissue(const domain::Certificate& previous,
                                           const domain::Certificate& cert,
                                           const std::string& key) = 0;
  virtual absl::StatusOr<CaAnswer> Renew(const domain::Certificate& previous,
                                         const domain::Certificate& cert,
                                         const std::string& key) = 0;
  virtual absl::StatusOr<CaAnswer> Cancel(const std::string& ca_reference,
                                          const std::string& submit_key, const std::string& reason,
                                          const std::string& key) = 0;
  virtual absl::StatusOr<CaAnswer> Revoke(const std::string& ca_reference,
                                          const std::string& key) = 0;
  virtual absl::StatusOr<CaAnswer> Status(const std::string& ca_reference) = 0;

  // The adapter's capabilities. The defaults below answer UNIMPLEMENTED, as
  // an adapter without these RPCs would.
  virtual absl::StatusOr<CaCapabilities> Capabilities();
  virtual absl::StatusOr<std::vector<std::string>> ListApproverEmails(const std::string& host_name);
  virtual absl::StatusOr<CaAnswer> ChangeDcv(const std::string& ca_reference,
                                             const std::vector<domain::DomainValidation>& changes,
                                             const std::string& key);
  virtual absl::StatusOr<CaAnswer> ResendDcvEmail(const std::string& ca_reference,
                                                  const std::string& host_name,
                                                  const std::string& key);
  // Settles the submission sent with `submit_key` (detail: attach or
  // resubmit, reason, operator).
  virtual absl::StatusOr<CaAnswer> ResolveSubmission(const std::string& submit_key,
                                                     const domain::IntentDetail& detail);
};

class CaRouter {
 public:
  virtual ~CaRouter() = default;
  // The adapter serving `name`, or nullptr when none is configured.
  virtual CaClient* ForAdapter(const std::string& name) = 0;
};

}  // namespace sslpanel::workflow::app
