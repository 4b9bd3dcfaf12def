// An ACME CA behind the CaBackend port. ca_order_id is the ACME order URL.
// Submit places a new order and, once --challenge_delay has passed, tells
// the CA to validate; status polls drive the order on (finalize with the
// CSR, wait out "processing" within a bound, download the chain) and report
// the DCV instructions while it is pending. Cancel deactivates the order's
// authorizations; revoke uses revokeCert with the reason code. Reissue and
// renew are new orders (ACME has no such operations; the CA sets validity).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ca-adapter/src/acme/acme_account.h"
#include "ca-adapter/src/acme/acme_client.h"
#include "ca-adapter/src/acme/acme_order_driver.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "common/time/clock.h"

namespace sslpanel::ca::acme {

struct AcmeBackendConfig {
  std::string ca_name = "ACME CA";
  // Challenges, finalization and polling (challenge_delay, max_poll_wait,
  // default_method).
  DriverConfig driver;
  // Pages of the account's orders list searched when resuming a submit
  // whose answer was lost.
  int max_recovery_pages = 20;
};

class AcmeBackend final : public app::CaBackend {
 public:
  AcmeBackend(AcmeBackendConfig config, AcmeClient& client, AccountProvider& accounts,
              AcmeStore& store, const Clock& clock)
      : config_(std::move(config)),
        client_(client),
        accounts_(accounts),
        store_(store),
        clock_(clock),
        driver_(config_.driver, client, store, clock) {}

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

 private:
  struct NewOrderRequest {
    std::string idempotency_key;
    OrderKind kind = OrderKind::kInitial;
    std::string original_order_url;
    std::string csr_pem;
    std::vector<std::string> names;
    std::vector<domain::DomainValidation> domain_validations;
  };

  // Places the ACME order for a submit, reissue or renewal (once per key).
  absl::StatusOr<domain::OrderStatus> Create(const NewOrderRequest& request,
                                             const app::CallOptions& options);
  // The answer for an order that exists at the CA (answering due challenges).
  absl::StatusOr<domain::OrderStatus> Created(AcmeOrderRecord& record, const Account& account,
                                              const app::CallOptions& options);
  absl::StatusOr<AcmeOrderRecord> Load(absl::string_view ca_order_id);
  // An issued original for reissue and renewal.
  absl::StatusOr<AcmeOrderRecord> IssuedOriginal(absl::string_view ca_order_id,
                                                 const app::CallOptions& options,
                                                 absl::string_view action);

  AcmeBackendConfig config_;
  AcmeClient& client_;
  AccountProvider& accounts_;
  AcmeStore& store_;
  const Clock& clock_;
  OrderDriver driver_;
};

}  // namespace sslpanel::ca::acme
