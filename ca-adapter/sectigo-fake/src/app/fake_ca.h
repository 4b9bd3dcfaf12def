// The fake Sectigo reseller API behind the HTTP layer: accounts, the
// catalogue, orders and their certificates, billing, and one method per
// endpoint the contract lists. Thread-safe (one mutex); the network DCV
// checks of --validation=check run outside it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ca-adapter/sectigo-fake/src/app/ports.h"
#include "ca-adapter/sectigo-fake/src/core/order.h"
#include "ca-adapter/sectigo-fake/src/core/wire.h"
#include "common/time/clock.h"

namespace sslpanel::sectigo_fake {

struct Account {
  std::string login_name;
  std::string login_password;
  double credit = 1000000.0;
  bool test_enabled = true;
  bool unpaid = false;                              // CollectSSL answers -22
  bool payment_elsewhere = false;                   // AutoApplySSL answers 1, nothing debited
  bool locked = false;                              // every call -16
  std::map<std::string, absl::Time> listed_emails;  // GetDCVEmailAddressList answers
};

// From the accounts-file object; INVALID_ARGUMENT naming the bad key.
absl::StatusOr<Account> AccountFromJson(const nlohmann::json& json);

enum class ValidationMode { kAuto, kCheck, kManual };

struct FakeCaOptions {
  ValidationMode validation = ValidationMode::kAuto;
  absl::Duration auto_validate_after = absl::Seconds(2);
  absl::Duration min_collect_interval = absl::ZeroDuration();
  int max_validity_days = 199;
  // When set: a JSON snapshot written after every change and read by
  // LoadState(), so a restarted fake keeps its orders.
  std::string state_file;
};

struct BillingEntry {
  std::string kind;  // "apply" | "replace"
  std::string order_number;
  std::string certificate_id;
  std::string account;
  int product = 0;
  double amount = 0;
  absl::Time time;
};

// The API names the fake serves ("AutoApplySSL", "CollectSSL", …).
const std::vector<std::string>& EndpointNames();

class FakeCa {
 public:
  FakeCa(FakeCaOptions options, const Clock& clock, Signer& signer, DcvChecker& checker);

  // Reads --state_file when it exists (call once, before serving).
  absl::Status LoadState();
  void PutAccount(Account account);

  // One API call. `endpoint` must be one of EndpointNames().
  Reply Handle(const std::string& endpoint, const Params& params);
  // The format an answer of `endpoint` takes for these parameters (for
  // errors produced outside Handle, e.g. injected ones).
  static Format AnswerFormat(const std::string& endpoint, const Params& params);

  // No concurrent CollectSSL per account: false when one is in flight.
  bool BeginCollect(const std::string& login_name);
  void EndCollect(const std::string& login_name);

  // The request log (passwords removed).
  void RecordRequest(const std::string& endpoint, const Params& params, const std::string& outcome);

  // Admin views and actions.
  nlohmann::json BillingJson();
  nlohmann::json OrdersJson();
  std::optional<nlohmann::json> OrderJson(const std::string& order_number);
  nlohmann::json RequestsJson();
  absl::Status ValidateNow(const std::string& order_number);

 private:
  using Endpoint = Reply (FakeCa::*)(Account&, const Params&, Format);
  struct Selected {
    Order* order = nullptr;
    Certificate* certificate = nullptr;
    std::optional<Reply> error;
  };

  // Endpoints (apply.cc, collect.cc, revoke.cc, dcv_ops.cc, report.cc).
  Reply AutoApplySsl(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply AutoReplaceSsl(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply CollectSsl(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply AutoRevokeSsl(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply AutoRevokeCertificate(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply ResendDcvEmail(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply AutoUpdateDcv(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply GetDcvEmailAddressList(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply GetMdcDomainDetails(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply WebHostReport(Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Reply Revoke(Account& account, const Params& params, Format format, RevokeCall call)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Helpers.
  static Endpoint EndpointFor(const std::string& name);
  std::optional<Reply> Authenticate(const Params& params, Format format, Account** account)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The order (and its newest certificate, or the one named by
  // certificateID / serialNumber) the call is about.
  Selected Select(const Account& account, const Params& params, Format format)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves a pending certificate on (auto validation, issuance).
  void Refresh(Order& order, Certificate& certificate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Issue(Order& order, Certificate& certificate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<Reply> DcvFromParams(const Account& account, const Params& params, Format format,
                                     const std::vector<std::string>& names,
                                     std::vector<NameDcv>& dcv) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<Reply> CheckForeignOrderNumber(const Account& account, const Params& params,
                                               Format format) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RejectReusedToken(const std::string& csr_der, const std::string& unique_value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Certificate NewCertificate(const std::string& csr_pem, const std::string& csr_der,
                             std::vector<std::string> names, const std::string& unique_value,
                             std::vector<NameDcv> dcv, int days) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // --validation=check: probes the pending names of the selected certificate.
  void RunNetworkChecks(const Params& params) ABSL_LOCKS_EXCLUDED(mu_);
  bool EmailListed(const Account& account, const std::string& email) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SaveState() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NextOrderNumber() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NextCertificateId() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time ExpectedDelivery() const;
  nlohmann::json OrderToJson(const Order& order) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const FakeCaOptions options_;
  const Clock& clock_;
  Signer& signer_;
  DcvChecker& checker_;

  absl::Mutex mu_;
  std::map<std::string, Account> accounts_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Order>> orders_ ABSL_GUARDED_BY(mu_);
  std::vector<BillingEntry> billing_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> collecting_ ABSL_GUARDED_BY(mu_);
  nlohmann::json requests_ ABSL_GUARDED_BY(mu_) = nlohmann::json::array();
  long next_order_ ABSL_GUARDED_BY(mu_) = 7654321;
  long next_certificate_ ABSL_GUARDED_BY(mu_) = 9988776;
};

}  // namespace sslpanel::sectigo_fake
