// The fake's orders and the pure decisions of its state machine: a
// certificate awaits validation, is issued, and ends rejected (cancelled
// before issue), revoked, or replaced (autoRevokeCertificate with
// includeInCRL=N). Each decision maps the state to the code the contract
// gives the endpoint, and the state that follows. No I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ca-adapter/sectigo-fake/src/core/dcv.h"

namespace sslpanel::sectigo_fake {

enum class CertState { kAwaitingValidation, kIssued, kRejected, kRevoked, kReplaced };

const char* CertStateName(CertState state);  // "Awaiting Validation", "Issued", …

struct NameDcv {
  std::string name;
  DcvMethod method = DcvMethod::kCname;
  std::string email;  // for EMAIL
  bool validated = false;
};

struct Organization {
  std::string name, unit, street1, street2, street3, locality, state, postal_code, country;
};

struct Certificate {
  std::string id;  // certificateID
  CertState state = CertState::kAwaitingValidation;
  std::string csr_pem;
  std::string csr_der;
  std::vector<std::string> names;  // CN first
  std::string unique_value;
  std::vector<NameDcv> dcv;
  int days = 365;
  absl::Time created;
  absl::Time validate_at = absl::InfiniteFuture();  // --validation=auto
  int dcv_emails_sent = 0;
  std::vector<std::string> dcv_history;  // "AutoUpdateDCV www.example.com HTTP_CSR_HASH", …
  std::string reason;                    // rejection / revocation reason
  // Once issued.
  std::string certificate_pem;
  std::vector<std::string> chain_pems;  // issuing CA, then root
  std::string serial_number;            // lower-case hex
  absl::Time not_before, not_after;
};

struct Order {
  std::string number;
  std::string account;
  int product = 0;
  bool test = false;
  std::string foreign_order_number;
  absl::Time created;
  std::optional<Organization> organization;
  std::vector<Certificate> certificates;  // oldest first; replacements appended
  absl::Time last_collect = absl::InfinitePast();
};

// The answer to a decision: the API code (>= 0 accepted), its message when
// negative, and the state the certificate moves to (when it moves).
struct Decision {
  int code = 0;
  std::string message;
  std::optional<CertState> next;
};

enum class RevokeCall {
  kAutoRevokeSsl,           // !AutoRevokeSSL
  kRevokeCertificateCrl,    // !autoRevokeCertificate, includeInCRL=Y (default)
  kRevokeCertificateNoCrl,  // !autoRevokeCertificate, includeInCRL=N
};

// Cancel / revoke: not yet issued → rejected; issued → revoked (or replaced
// with includeInCRL=N); a replaced certificate can still be revoked; repeats
// → -20 / -21. `test` answers as if but never moves.
Decision DecideRevoke(CertState state, RevokeCall call, bool test);

// CollectSSL: 0 while awaiting validation, 1 issued but not attached
// (queryType 0), 2 attached; -20 rejected, -21 revoked, -22 while the
// account is unpaid. A replaced certificate stays collectable.
Decision DecideCollect(CertState state, bool account_unpaid, int query_type);

// AutoReplaceSSL on the order's newest certificate: only an issued one;
// -26 while awaiting validation, -20 rejected, -21 revoked or replaced,
// -36 expired.
Decision DecideReplace(CertState state, bool expired);

// AutoUpdateDCV and ResendDCVEmail: only while awaiting validation (-160
// otherwise: our reading of the documented but unexplained codes).
Decision DecideDcvChange(CertState state);

// Whether every name of `certificate` has passed DCV.
bool AllValidated(const Certificate& certificate);

}  // namespace sslpanel::sectigo_fake
