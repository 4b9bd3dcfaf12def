// The workflow's use cases: every API call and every processing outcome goes
// through here, is decided by the domain and persisted through the
// repository, with idempotent replays and retries of lost races.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/time/clock.h"
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

struct WorkflowPicture {
  int64_t certificate_id = 0;
  domain::Picture picture;
};

class WorkflowApp {
 public:
  WorkflowApp(OrderRepository& orders, const ProductCatalog& products, const CsrParser& csr_parser,
              const Clock& clock);

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

  const ProductCatalog& products() const { return products_; }
  // The product rules of an order (a product removed from the catalogue
  // keeps the defaults, so old orders stay readable).
  domain::ProductRules RulesFor(const domain::Order& order) const;
  absl::Time Now() const { return clock_.Now(); }

  // Decides `command` on certificate `index` of an order loaded by `load`
  // and saves it; retried on a lost race. Used by the processing loops.
  using Prepare = std::function<absl::StatusOr<SaveRequest>(const OrderRecord&)>;
  absl::StatusOr<OrderRecord> Mutate(int64_t order_id, const Caller& caller,
                                     const Prepare& prepare);

 private:
  // Returns the stored order when `caller.request_id` was seen with the same
  // request, ALREADY_EXISTS when with a different one, nullopt when new.
  absl::StatusOr<std::optional<OrderRecord>> Replay(const Caller& caller);
  absl::StatusOr<SaveRequest> DecideOn(const OrderRecord& record, int index,
                                       const domain::Command& command, const Caller& caller) const;
  domain::Context ContextFor(const domain::Order& order, const Caller& caller) const;
  absl::StatusOr<int> ResolveCertificate(const OrderRecord& record,
                                         std::optional<int64_t> certificate_id) const;

  OrderRepository& orders_;
  const ProductCatalog& products_;
  const CsrParser& csr_parser_;
  const Clock& clock_;
};

}  // namespace sslpanel::workflow::app
