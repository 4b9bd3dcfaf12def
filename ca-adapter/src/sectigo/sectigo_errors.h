// The Sectigo error codes, mapped per endpoint (the same number means
// different things on different endpoints: -35 is "IP address" on
// AutoApplySSL and "expired" on AutoRevokeSSL) to what the adapter does:
// a final refusal, a state, a hold on the reseller account, or a retry.
// Pure: the decision table lives here and is tested cell by cell.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ca-adapter/src/sectigo/sectigo_wire.h"

namespace sslpanel::ca::sectigo {

enum class Handling {
  // INVALID_ARGUMENT with the CA's message: this request cannot succeed
  // (bad parameter, unknown product or term, bad CSR).
  kInvalid,
  // FAILED_PRECONDITION: not in this state (expired, already rejected when
  // replacing, being issued when changing DCV).
  kPrecondition,
  // CollectSSL: the order was rejected or cancelled (-20); a state.
  kRejected,
  // CollectSSL: revoked (-21); a state.
  kRevoked,
  // AutoRevokeSSL: already rejected / already revoked; done, and the
  // following CollectSSL tells which.
  kAlreadyDone,
  // domain::AccountProblem: bad login, no credit, unpaid, no permission.
  // Never a refusal of the customer's order.
  kAccount,
  // UNAVAILABLE with a retry-after: the certificate is being issued.
  kBeingIssued,
  // RESOURCE_EXHAUSTED with a retry-after: the account's call limit (-42).
  kRateLimited,
  // UNAVAILABLE: the CA failed (-14, or a code this table does not know);
  // retry with backoff.
  kRetry,
  // INTERNAL: the adapter spoke the protocol wrongly (plain HTTP, GET);
  // retryable once the configuration is fixed, never the customer's fault.
  kAdapterBug,
};

absl::string_view HandlingName(Handling handling);

// What `code` (< 0) from `endpoint` means.
Handling Classify(Endpoint endpoint, int code);

// The status for an error answer. kRejected/kRevoked/kAlreadyDone are
// states the caller handles before asking for a status; given here they
// become FAILED_PRECONDITION. `backoff` is the retry-after of kRateLimited
// and kBeingIssued.
absl::Status ErrorStatus(Endpoint endpoint, int code, absl::string_view message,
                         absl::Duration backoff);

// Whether AutoApplySSL's (or AutoReplaceSSL's) error answer proves that no
// order was created: every classified refusal, not a CA failure (-14 or an
// unknown code), after which the order may exist.
bool RefusalCreatedNothing(Endpoint endpoint, int code);

// AutoApplySSL refused a foreignOrderNumber as already used
// (checkFONIsUnique=Y): the order exists; look it up.
bool IsForeignOrderNumberTaken(int code, absl::string_view message);

}  // namespace sslpanel::ca::sectigo
