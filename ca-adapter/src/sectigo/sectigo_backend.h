// Sectigo's reseller API behind the CaBackend port. ca_order_id is the
// order number ("<orderNumber>-<certificateID>" for a replacement).
//
// Exactly once without CA idempotency: every creating call (AutoApplySSL,
// AutoReplaceSSL) is recorded in sectigo_orders before it is sent, with a
// uniqueValue and foreignOrderNumber derived from the idempotency key. A
// call whose answer was lost is looked up (WebHostReport over the call's
// time window, matched on those values) before anything is sent again; a
// lookup that cannot decide answers domain::OutcomeUnknown until an
// operator settles it with ResolveSubmission. Status polls respect the
// account's bounds: a minimum interval per order, at most N CollectSSL in
// flight per account over all replicas, and a shared backoff after -42.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/sectigo/sectigo_client.h"
#include "ca-adapter/src/sectigo/sectigo_errors.h"
#include "ca-adapter/src/sectigo/sectigo_order.h"
#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "ca-adapter/src/sectigo/sectigo_store.h"
#include "common/time/clock.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace sslpanel::ca::sectigo {

struct SectigoBackendConfig {
  std::string ca_name = "Sectigo";
  domain::DcvMethod default_dcv_method = domain::DcvMethod::kDns;
  bool test_orders = false;  // test=Y: not billed, untrusted chain
  // Status polling bounds (declared in GetCapabilities, and enforced).
  absl::Duration min_poll_interval = absl::Minutes(30);
  int max_collect_in_flight = 1;
  absl::Duration collect_slot_wait = absl::Seconds(2);
  absl::Duration rate_limited_backoff = absl::Minutes(5);
  absl::Duration being_issued_backoff = absl::Minutes(1);
  // The WebHostReport window around a lost call's send times, and the most
  // rows read before the lookup gives up (undecided).
  absl::Duration lookup_margin = absl::Minutes(15);
  int lookup_page_size = 100;
  int lookup_max_pages = 10;
  // Whether a complete, readable report without the order may mean "none,
  // send again". Off (hold for an operator) until checked against
  // Sectigo's own API; the fake's local run and tests turn it on.
  bool trust_empty_lookup = false;
  // A creating call owns its order row until its last send + send_timeout
  // + send_settle (after a lost answer: that moment + send_settle): until
  // then any other call (a replay on another replica, a resubmit) answers
  // UNAVAILABLE with a retry-after, and never looks up or sends again.
  absl::Duration send_timeout = absl::Seconds(30);  // = --ca_request_timeout
  absl::Duration send_settle = absl::Minutes(2);
};

class SectigoBackend final : public app::CaBackend {
 public:
  // `metrics` must outlive the backend.
  SectigoBackend(SectigoBackendConfig config, SectigoClient& client, SectigoStore& store,
                 const Clock& clock, prometheus::Registry& metrics);

  domain::Capabilities GetCapabilities() const override;
  absl::StatusOr<domain::OrderStatus> Submit(const domain::SubmitCommand& command,
                                             const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> GetStatus(absl::string_view ca_order_id,
                                                const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> Cancel(absl::string_view ca_order_id,
                                             absl::string_view reason,
                                             const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> Revoke(absl::string_view ca_order_id,
                                             domain::RevocationReason reason,
                                             const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> Reissue(const domain::ReissueCommand& command,
                                              const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> Renew(const domain::RenewCommand& command,
                                            const app::CallOptions& options) override;
  absl::StatusOr<std::vector<std::string>> ListApproverEmails(
      absl::string_view host_name, const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> ChangeDcvMethod(const domain::ChangeDcvCommand& command,
                                                      const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> ResendDcvEmail(const domain::ResendDcvEmailCommand& command,
                                                     const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> ResolveSubmission(
      const domain::ResolveSubmissionCommand& command, const app::CallOptions& options) override;

 private:
  enum class LookupOutcome { kFound, kNone, kUndecided };
  struct Lookup {
    LookupOutcome outcome = LookupOutcome::kUndecided;
    std::string order_number;
    std::string certificate_id;
    std::string why;  // for kUndecided
  };

  // One call through the account's -42 backoff, with metrics; error codes
  // stay in the reply for the caller to map.
  CallOutcome Call(Endpoint endpoint, const Form& form, absl::Time deadline);
  // UNAVAILABLE (retry-after) while `order` is `sending` and its send may
  // still be in flight or being processed (before sending_until).
  absl::Status SendInFlight(const SectigoOrder& order);
  // After the last (empty) page: "none" when the counts agree and empty
  // lookups are trusted, else undecided.
  Lookup DecideNone(int64_t read, const std::vector<std::pair<int64_t, int64_t>>& counts) const;
  // The status for an error reply (counting account problems, storing a
  // -42 backoff).
  absl::Status Failure(Endpoint endpoint, const Reply& reply);

  // sectigo_create.cc: the creating calls, exactly once.
  absl::StatusOr<domain::OrderStatus> Create(SectigoOrder proposed,
                                             const app::CallOptions& options);
  absl::StatusOr<domain::OrderStatus> Send(SectigoOrder& order, absl::Time deadline);
  // sectigo_recovery.cc: finding what a lost call did; the operator's say.
  absl::StatusOr<Lookup> LookUp(const SectigoOrder& order, absl::Time deadline);
  absl::StatusOr<Lookup> LookUpReplacement(const SectigoOrder& order, absl::Time deadline);
  // One WebHostReport page; sets `undecided` (and answers no rows) when
  // the answer cannot be used to decide.
  absl::StatusOr<ReportResult> Report(const Form& form, absl::Time deadline,
                                      std::string* undecided);
  absl::StatusOr<domain::OrderStatus> Bind(SectigoOrder& order, const std::string& order_number,
                                           const std::string& certificate_id);
  absl::StatusOr<SectigoOrder> IssuedOriginal(absl::string_view ca_order_id, absl::Time deadline,
                                              absl::string_view action);
  // Reissue and Renew: the order recorded under the command's key resumed;
  // NOT_FOUND `not_sent` with find_only; else a `kind` order replacing the
  // issued original (`action`: what only an issued certificate can be),
  // with the command's names, CSR and DCV and the request `form` builds.
  template <typename Command>
  absl::StatusOr<domain::OrderStatus> Replace(
      const Command& command, OrderKind kind, absl::string_view action, absl::string_view not_sent,
      const app::CallOptions& options,
      const std::function<Form(const SectigoOrder& original, const SectigoOrder& order)>& form);

  // sectigo_backend.cc: reading and changing existing orders.
  absl::StatusOr<SectigoOrder> Load(absl::string_view ca_order_id);
  // CollectSSL through the account's slots; stores what it learnt.
  absl::StatusOr<domain::OrderStatus> Collect(SectigoOrder& order, absl::Time deadline);
  // AutoRevokeSSL then CollectSSL (cancel and revoke alike).
  absl::StatusOr<domain::OrderStatus> RevokeAtCa(SectigoOrder& order, const std::string& text,
                                                 int code_reason, absl::Time deadline);
  domain::OrderStatus StatusOf(const SectigoOrder& order) const;
  // sectigo_dcv_ops.cc: every e-mail approver among `validations` must be
  // one the CA offers for its name (INVALID_ARGUMENT naming it).
  absl::Status CheckApprovers(const std::vector<domain::DomainValidation>& validations,
                              absl::Time deadline);
  // Stores `order`; on a lost race returns the fresher row's status.
  absl::Status Save(SectigoOrder& order);

  SectigoBackendConfig config_;
  SectigoClient& client_;
  SectigoStore& store_;
  const Clock& clock_;
  prometheus::Family<prometheus::Counter>& calls_;             // endpoint, result
  prometheus::Family<prometheus::Counter>& account_problems_;  // adapter, endpoint
  prometheus::Family<prometheus::Counter>& lookups_;           // outcome
};

}  // namespace sslpanel::ca::sectigo
