// The CA order as every adapter sees it, independent of the wire format and of
// any one CA's protocol: what the workflow asks for (commands) and what the CA
// answers (OrderStatus). Pure C++; the gRPC layer converts to and from protos.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::ca::domain {

// The normalised state of a CA order.
enum class OrderState { kPending, kIssued, kRefused, kCancelled, kRevoked };

enum class ValidationType { kUnspecified, kDv, kOv, kEv };

enum class DcvMethod { kUnspecified, kEmail, kDns, kHttp, kHttps };

// RFC 5280 CRLReason codes the workflow uses; the values are the codes.
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
};

absl::string_view OrderStateName(OrderState state);
absl::string_view DcvMethodName(DcvMethod method);
absl::string_view ValidationTypeName(ValidationType type);

struct DomainValidation {
  std::string host_name;
  DcvMethod method = DcvMethod::kUnspecified;
  std::string approver_email;
};

// What the customer must do to prove control of one host name.
struct DcvInstruction {
  std::string host_name;
  DcvMethod method = DcvMethod::kUnspecified;
  std::string dns_record_name;
  std::string dns_record_type;
  std::string dns_record_value;
  std::string http_url;
  std::string http_content;
  std::string approver_email;
  std::string status;  // the CA's own word, e.g. "pending"
};

struct IssuedCertificate {
  std::string certificate_pem;
  std::string chain_pem;      // intermediates, leaf's issuer first, no root
  std::string serial_number;  // lower-case hex, no separators
  absl::Time not_before;
  absl::Time not_after;
};

struct OrderStatus {
  std::string ca_order_id;
  OrderState state = OrderState::kPending;
  std::string raw_status;
  std::vector<DcvInstruction> dcv_instructions;  // while pending
  std::optional<IssuedCertificate> certificate;  // once issued (and after revocation)
  std::string refusal_reason;                    // when refused
};

struct Organization {
  std::string legal_name;
  std::string registration_number;
  std::string street_address;
  std::string postcode;
  std::string city;
  std::string country_code;
  std::string phone;
};

struct SubmitCommand {
  std::string idempotency_key;
  std::string csr_pem;
  std::string common_name;
  std::vector<std::string> additional_names;
  ValidationType validation_type = ValidationType::kUnspecified;
  int period_months = 0;
  std::string product_code;
  std::vector<DomainValidation> domain_validations;
  std::optional<Organization> organization;
};

struct ReissueCommand {
  std::string idempotency_key;
  std::string ca_order_id;  // the issued order being replaced
  std::string csr_pem;
  std::string common_name;  // empty: the original's names
  std::vector<std::string> additional_names;
  std::vector<DomainValidation> domain_validations;
};

struct RenewCommand {
  std::string idempotency_key;
  std::string ca_order_id;  // the order being renewed
  std::string csr_pem;
  std::string common_name;  // empty: the original's names
  std::vector<std::string> additional_names;
  int period_months = 0;
  std::vector<DomainValidation> domain_validations;
};

struct CancelCommand {
  std::string idempotency_key;
  std::string ca_order_id;
  std::string submit_idempotency_key;  // when the submit's answer was lost
  std::string reason;
};

struct RevokeCommand {
  std::string idempotency_key;
  std::string ca_order_id;
  RevocationReason reason = RevocationReason::kUnspecified;
};

struct Capabilities {
  std::string adapter;
  std::string ca_name;
  std::vector<ValidationType> validation_types;
  std::vector<DcvMethod> dcv_methods;
  bool supports_cancel = false;
  bool supports_revoke = false;
  bool supports_reissue = false;
  bool supports_renew = false;
  bool supports_wildcard = false;
  int max_names = 1;
  bool supports_change_dcv_method = false;
  bool supports_resend_dcv_email = false;
  bool supports_list_approver_emails = false;
  // Bounds on GetOrderStatus that the CA account survives (ca.proto
  // StatusPolling); absent: no bound.
  struct StatusPolling {
    absl::Duration min_interval = absl::ZeroDuration();
    int max_in_flight = 0;  // 0: no bound
    absl::Duration rate_limited_backoff = absl::ZeroDuration();
  };
  std::optional<StatusPolling> status_polling;
};

// ChangeDcvMethod: a new DCV choice for names of a pending order.
struct ChangeDcvCommand {
  std::string idempotency_key;
  std::string ca_order_id;
  std::vector<DomainValidation> domain_validations;
};

// ResendDcvEmail: the approval mail again (empty host_name: every e-mail name).
struct ResendDcvEmailCommand {
  std::string idempotency_key;
  std::string ca_order_id;
  std::string host_name;
};

// ResolveSubmission: an operator settles a submission whose outcome was
// unknown, by naming the CA order found by hand or by asking for one more
// send.
struct ResolveSubmissionCommand {
  std::string submit_idempotency_key;
  std::string attach_ca_order_id;  // exactly one of this and resubmit
  bool resubmit = false;
  std::string operator_identity;
  std::string reason;
};

}  // namespace sslpanel::ca::domain
