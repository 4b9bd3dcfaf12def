// An ACME CA behind the CaBackend port. ca_order_id is the ACME order URL.
// Submit places a new order; status polls tell the CA to validate once the
// customer's DNS record or file is visible (--challenge_preflight), drive
// the order on (finalize with the CSR, wait out "processing" within a bound,
// download the chain) and report the DCV instructions while it is pending. Cancel deactivates the
// order's authorizations; revoke uses revokeCert with the reason code. Reissue and renew are new
// orders (ACME has no such operations; the CA sets validity).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ca-adapter/src/acme/acme_account.h"
#include "ca-adapter/src/acme/acme_client.h"
#include "ca-adapter/src/acme/acme_order_driver.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "common/time/clock.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace sslpanel::ca::acme {

// What a resumed submit does when the CA offers no orders list to search
// for the order the interrupted attempt may have created.
enum class ResumeWithoutOrdersList {
  // UNAVAILABLE until an operator decides: safe with any CA.
  kFail,
  // newOrder again: safe only with a CA that answers a repeated newOrder for
  // the same account and names with the order still pending (Let's Encrypt).
  kCreate,
};

struct AcmeBackendConfig {
  std::string ca_name = "ACME CA";
  // Challenges, finalization and polling (challenge_delay, max_poll_wait,
  // default_method).
  DriverConfig driver;
  // Pages of the account's orders list searched when resuming a submit
  // whose answer was lost; a longer list makes the resume UNAVAILABLE.
  int max_recovery_pages = 20;
  ResumeWithoutOrdersList resume_without_orders_list = ResumeWithoutOrdersList::kFail;
};

class AcmeBackend final : public app::CaBackend {
 public:
  // `preflight` null: challenges are answered without looking first.
  // `metrics` (outliving the backend) counts resumes without an orders list.
  AcmeBackend(AcmeBackendConfig config, AcmeClient& client, AccountProvider& accounts,
              AcmeStore& store, const Clock& clock, ChallengePreflight* preflight,
              prometheus::Registry& metrics);

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
  // The method change of a pending order becomes another challenge type
  // (dns-01 / http-01) for the names changed, as long as no challenge was
  // answered yet; the answer carries the new instructions.
  absl::StatusOr<domain::OrderStatus> ChangeDcvMethod(const domain::ChangeDcvCommand& command,
                                                      const app::CallOptions& options) override;

 private:
  struct NewOrderRequest {
    std::string idempotency_key;
    OrderKind kind = OrderKind::kInitial;
    std::string original_order_url;
    std::string csr_pem;
    std::vector<std::string> names;
    std::vector<domain::DomainValidation> domain_validations;
  };

  using Step = std::function<absl::StatusOr<domain::OrderStatus>(const Account&)>;

  // Runs `step` as the account. When the CA answers accountDoesNotExist (it
  // lost its state, or the account was deleted), registers the stored key
  // again and runs `step` once more: the failed request changed nothing at
  // the CA, so repeating it is safe.
  absl::StatusOr<domain::OrderStatus> WithAccount(const app::CallOptions& options,
                                                  const Step& step);
  // Places the ACME order for a submit, reissue or renewal (once per key).
  absl::StatusOr<domain::OrderStatus> Create(const NewOrderRequest& request, const Account& account,
                                             const app::CallOptions& options);
  // A resumed creation found no orders list to search: OK to go on (create,
  // or for find_only report none), else UNAVAILABLE.
  absl::Status ResumeUnlisted(const NewOrderRequest& request, const app::CallOptions& options);
  // Reissue and renewal: a new order replacing the issued `original_id`,
  // for the original's names unless `common_name` is set.
  absl::StatusOr<domain::OrderStatus> Replace(NewOrderRequest request,
                                              const std::string& original_id,
                                              const std::string& common_name,
                                              const std::vector<std::string>& additional_names,
                                              const app::CallOptions& options,
                                              absl::string_view action);
  // The answer for an order that exists at the CA (answering due challenges).
  absl::StatusOr<domain::OrderStatus> Created(AcmeOrderRecord& record, const Account& account,
                                              const app::CallOptions& options);
  absl::StatusOr<AcmeOrderRecord> Load(absl::string_view ca_order_id);
  // An issued original for reissue and renewal.
  absl::StatusOr<AcmeOrderRecord> IssuedOriginal(absl::string_view ca_order_id,
                                                 const Account& account,
                                                 const app::CallOptions& options,
                                                 absl::string_view action);

  AcmeBackendConfig config_;
  AcmeClient& client_;
  AccountProvider& accounts_;
  AcmeStore& store_;
  const Clock& clock_;
  OrderDriver driver_;
  prometheus::Family<prometheus::Counter>& resumes_;  // by outcome
};

}  // namespace sslpanel::ca::acme
