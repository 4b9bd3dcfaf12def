// The workflow's use cases: every API call and every processing outcome goes
// through here, is decided by the domain and persisted through the
// repository, with idempotent replays and retries of lost races.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/capability_cache.h"
#include "workflow-service/src/app/ports.h"
#include "workflow-service/src/app/products.h"
#include "workflow-service/src/domain/picture.h"

namespace sslpanel::workflow::app {

// Who calls, and the idempotency facts of a mutating call.
struct Caller {
  std::string actor = "api";
  std::string request_id;
  std::string method;       // RPC name, e.g. "CreateOrder"
  std::string fingerprint;  // hash of the request without request_id
  // Authenticated: the client certificate's identity (empty with mutual TLS
  // off), or "system:<loop>" for the workflow's own work. Recorded on every
  // event; never from a request field.
  std::string identity;
};

struct NewOrderInput {
  std::string external_order_id;
  std::string product_id;
  int period_months = 0;
  std::string csr;
  std::string common_name;
  std::vector<std::string> additional_names;
  std::optional<domain::DcvMethod> dcv_method;
  std::string approver_email;
  std::vector<domain::DomainValidation> domain_validations;
  domain::Organization organization;
  bool draft = false;
};

// UpdateOrder: only the fields that are set change.
struct EditInput {
  std::optional<std::string> csr;
  std::optional<domain::Organization> organization;
  std::optional<domain::DcvMethod> dcv_method;
  std::optional<std::string> approver_email;
  std::optional<std::vector<domain::DomainValidation>> domain_validations;
};

struct ReissueInput {
  std::optional<int64_t> certificate_id;
  std::string csr;
  std::vector<std::string> additional_names;
  std::vector<domain::DomainValidation> domain_validations;
};

// ResolveCaSubmission: exactly one of the two, and why.
struct ResolutionInput {
  std::optional<int64_t> certificate_id;
  std::string attach_ca_reference;
  bool resubmit = false;
  std::string reason;
};

struct WorkflowPicture {
  int64_t certificate_id = 0;
  domain::Picture picture;
};

// How long an order may wait on us or the CA in one state before it counts
// as stuck.
struct SlaOptions {
  // Prevalidation running, on its way to the CA, cancellation pending.
  absl::Duration working = absl::Minutes(15);
  // Requested at the CA, waiting for issuance (OV/EV validation takes days).
  absl::Duration requested = absl::Hours(72);
};

// The moment `order` counts as stuck if its state stays as it is now, or
// nullopt when it waits on the customer (draft, failed prevalidation) or
// on nothing.
std::optional<absl::Time> SlaDeadline(const domain::Order& order, absl::Time now,
                                      const SlaOptions& sla);

// Extra records written with a processing outcome.
struct OutcomeExtras {
  std::optional<int64_t> completes_outbox_id;
  std::optional<PrevalidationRecord> prevalidation;
  // The loop recording it ("system:outbox", ...); empty: the actor when it
  // is a "system:" one, else "system:workflow".
  std::string caller;
  // The order as the caller has just read it, decided on instead of reading
  // it again; if it is stale the version-guarded save loses and the order is
  // read afresh, so this only saves work.
  const OrderRecord* loaded = nullptr;
  // SaveRequest::first_check_at.
  std::optional<absl::Time> first_check_at;
};

class WorkflowApp {
 public:
  WorkflowApp(OrderRepository& orders, const ProductCatalog& products, const CsrParser& csr_parser,
              const Clock& clock, SlaOptions sla = {});

  absl::StatusOr<OrderRecord> CreateOrder(const NewOrderInput& input, const Caller& caller);
  absl::StatusOr<OrderRecord> GetOrder(int64_t order_id);
  absl::StatusOr<OrderRecord> GetOrderByExternalId(const std::string& external_order_id);
  absl::StatusOr<OrderPage> ListOrders(ListQuery query);
  absl::StatusOr<OrderRecord> UpdateOrder(int64_t order_id, const EditInput& edit,
                                          const Caller& caller);
  absl::StatusOr<OrderRecord> SubmitOrder(int64_t order_id, const Caller& caller);
  absl::StatusOr<OrderRecord> CancelCertificate(int64_t order_id,
                                                std::optional<int64_t> certificate_id,
                                                const std::string& reason, const Caller& caller);
  absl::StatusOr<OrderRecord> ReissueCertificate(int64_t order_id, const ReissueInput& input,
                                                 const Caller& caller);
  absl::StatusOr<OrderRecord> RenewOrder(int64_t order_id, const std::string& csr,
                                         int period_months, const Caller& caller);
  absl::StatusOr<OrderRecord> OverridePrevalidation(int64_t order_id, const std::string& reason,
                                                    const Caller& caller);
  absl::StatusOr<WorkflowPicture> GetWorkflow(int64_t order_id,
                                              std::optional<int64_t> certificate_id);
  absl::StatusOr<EventPage> ListEvents(int64_t order_id, int64_t after_event_id, int limit);
  absl::StatusOr<DecodedCsr> DecodeCsr(const std::string& csr) const;

  // DCV operations and the resolution of an unknown submission outcome
  // (dcv_operations.cc). They ask the certificate's CA adapter (its
  // capabilities, its approver addresses), so they need set_ca_access;
  // without it they answer UNAVAILABLE.
  absl::StatusOr<std::vector<std::string>> ListApproverEmails(int64_t order_id,
                                                              const std::string& host_name);
  absl::StatusOr<OrderRecord> ChangeDcvMethod(int64_t order_id,
                                              std::optional<int64_t> certificate_id,
                                              const std::vector<domain::DomainValidation>& changes,
                                              const Caller& caller);
  absl::StatusOr<OrderRecord> ResendDcvEmail(int64_t order_id,
                                             std::optional<int64_t> certificate_id,
                                             const std::string& host_name, const Caller& caller);
  absl::StatusOr<OrderRecord> ResolveCaSubmission(int64_t order_id, const ResolutionInput& input,
                                                  const Caller& caller);
  // The adapter's capabilities as last read (never waits for the adapter).
  std::optional<CaCapabilities> CachedCapabilities(const std::string& adapter) const {
    return capabilities_ == nullptr ? std::nullopt : capabilities_->Cached(adapter);
  }
  void set_ca_access(CaRouter* adapters, CapabilityCache* capabilities) {
    adapters_ = adapters;
    capabilities_ = capabilities;
  }

  const ProductCatalog& products() const { return products_; }
  // The product rules of an order (a product removed from the catalogue
  // keeps the defaults, so old orders stay readable).
  domain::ProductRules RulesFor(const domain::Order& order) const;
  absl::Time Now() const { return clock_.Now(); }

  // Records what another service answered: `commands` applied in order to
  // the certificate with id `certificate_id` (0: the order as a whole), all
  // in one transaction with `extras`. Retried on a lost race; a refusal
  // (FAILED_PRECONDITION) means the order moved on and the answer is stale.
  absl::StatusOr<OrderRecord> Record(int64_t order_id, int64_t certificate_id,
                                     const std::vector<domain::Command>& commands,
                                     const std::string& actor, const OutcomeExtras& extras = {});

  // Loads the order, lets `prepare` decide, and saves; retried on a lost
  // race, replayed for a seen request id.
  using Prepare = std::function<absl::StatusOr<SaveRequest>(const OrderRecord&)>;
  absl::StatusOr<OrderRecord> Mutate(int64_t order_id, const Caller& caller, const Prepare& prepare,
                                     const OrderRecord* loaded = nullptr);

  // Called after every saved decision that has intents for other services,
  // so the delivery loop can start at once instead of at its next tick.
  void set_on_intents(std::function<void()> callback) { on_intents_ = std::move(callback); }

 private:
  // Returns the stored order when `caller.request_id` was seen with the same
  // request, ALREADY_EXISTS when with a different one, nullopt when new.
  absl::StatusOr<std::optional<OrderRecord>> Replay(const Caller& caller);
  // CreateOrder's checks and decision: the Save of a new order, or why not.
  absl::StatusOr<SaveRequest> PrepareNewOrder(const NewOrderInput& input,
                                              const Caller& caller) const;
  absl::StatusOr<SaveRequest> DecideOn(const OrderRecord& record, int index,
                                       const domain::Command& command, const Caller& caller) const;
  domain::Context ContextFor(const domain::Order& order, const Caller& caller) const;
  absl::StatusOr<int> ResolveCertificate(const OrderRecord& record,
                                         std::optional<int64_t> certificate_id) const;

  OrderRepository& orders_;
  const ProductCatalog& products_;
  const CsrParser& csr_parser_;
  const Clock& clock_;
  SlaOptions sla_;
  std::function<void()> on_intents_;
  CaRouter* adapters_ = nullptr;
  CapabilityCache* capabilities_ = nullptr;
};

}  // namespace sslpanel::workflow::app
