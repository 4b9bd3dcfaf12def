// The sandbox CA behind the CaBackend port: orders live in MySQL, outcomes
// follow the scripted behaviour (sandbox_policy.h), certificates are signed
// by SandboxCa. Time-driven transitions (issuance after the delay, confirmed
// cancellations) happen lazily when an order is read, with optimistic
// updates, so any number of replicas can serve the same database.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/app/random_source.h"
#include "ca-adapter/src/sandbox/sandbox_ca.h"
#include "ca-adapter/src/sandbox/sandbox_policy.h"
#include "ca-adapter/src/sandbox/sandbox_store.h"
#include "common/time/clock.h"

namespace sslpanel::ca::sandbox {

class SandboxBackend final : public app::CaBackend {
 public:
  SandboxBackend(SandboxBehaviour behaviour, const SandboxCa& ca, SandboxOrderStore& store,
                 const Clock& clock, app::RandomSource& random)
      : behaviour_(std::move(behaviour)), ca_(ca), store_(store), clock_(clock), random_(random) {}

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

  // DCV operations (sandbox_dcv.cc): all three supported, the changes kept
  // in the order's stored DCV instructions.
  absl::StatusOr<std::vector<std::string>> ListApproverEmails(
      absl::string_view host_name, const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> ChangeDcvMethod(const domain::ChangeDcvCommand& command,
                                                      const app::CallOptions& options) override;
  absl::StatusOr<domain::OrderStatus> ResendDcvEmail(const domain::ResendDcvEmailCommand& command,
                                                     const app::CallOptions& options) override;
  // Settles a submission answered with the lost-answer label's
  // OutcomeUnknown (sandbox_dcv.cc).
  absl::StatusOr<domain::OrderStatus> ResolveSubmission(
      const domain::ResolveSubmissionCommand& command, const app::CallOptions& options) override;

 private:
  // The lost-answer label (SandboxBehaviour::lost_answer_label): a new
  // submission with such a name answers OutcomeUnknown, as a CA whose answer
  // was lost and cannot be searched, until ResolveSubmission settles its
  // key: then an attached order answers, or a resubmission goes ahead.
  // Nothing means go on.
  std::optional<absl::StatusOr<domain::OrderStatus>> LostAnswer(
      const std::string& key, const std::vector<std::string>& names);

  // What a new order is made of, whichever RPC creates it.
  struct NewOrder {
    std::string idempotency_key;
    OrderKind kind = OrderKind::kInitial;
    std::string original_ca_order_id;
    std::string csr_pem;
    std::vector<std::string> names;
    domain::ValidationType validation_type = domain::ValidationType::kDv;
    int period_months = 0;
    std::optional<domain::Organization> organization;
    std::vector<domain::DomainValidation> domain_validations;
    std::optional<absl::Time> fixed_not_after;
  };

  // sandbox_create.cc, with Submit, Reissue and Renew: the order an earlier
  // attempt created with `key`, if any (never two), and creating one.
  absl::StatusOr<std::optional<SandboxOrder>> Existing(absl::string_view key);
  absl::StatusOr<domain::OrderStatus> Create(const NewOrder& request);

  // Loads the order and applies every transition that is due.
  absl::StatusOr<SandboxOrder> LoadCurrent(absl::string_view ca_order_id);
  // Applies `change` to the current order and stores it; re-reads and tries
  // again when another replica changed the order first.
  absl::StatusOr<SandboxOrder> Modify(
      absl::string_view ca_order_id,
      const std::function<absl::Status(SandboxOrder&, absl::Time now)>& change);
  // The issued original a reissue or renewal starts from.
  absl::StatusOr<SandboxOrder> IssuedOriginal(absl::string_view ca_order_id,
                                              absl::string_view action);
  // Reissue and Renew: the answer before creating (as Submit's), the issued
  // original (`action`: what only an issued certificate can be), and a
  // `kind` order with the command's key, CSR, names and DCV and the
  // original's validation type and organisation, which `finish` completes
  // or refuses (sandbox_create.cc).
  template <typename Command>
  absl::StatusOr<domain::OrderStatus> Replace(
      const Command& command, OrderKind kind, absl::string_view action,
      const app::CallOptions& options,
      const std::function<absl::Status(const SandboxOrder& original, NewOrder& request)>& finish);
  absl::Status ApplyStep(SandboxOrder& order, absl::Time now);

  SandboxBehaviour behaviour_;
  const SandboxCa& ca_;
  SandboxOrderStore& store_;
  const Clock& clock_;
  app::RandomSource& random_;

  // Lost-answer submissions: held keys and their resolutions ("" for a
  // resubmission, else the attached order). In memory: the sandbox forgets
  // them on restart, and a held key is then held again.
  std::mutex lost_mu_;
  std::set<std::string> held_keys_;
  std::map<std::string, std::string> resolutions_;
};

// The wire view of a stored order.
domain::OrderStatus ToStatus(const SandboxOrder& order);

}  // namespace sslpanel::ca::sandbox
