// The port each CA implements: the sandbox CA and the ACME client sit behind
// it, and the shared gRPC service (validation, idempotency, error mapping)
// sits in front. Implementations must be thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::app {

// How one call reaches the backend.
struct CallOptions {
  // The backend stops talking to its CA at this time (DEADLINE_EXCEEDED or
  // UNAVAILABLE), so the caller's own deadline and our lease hold.
  absl::Time deadline = absl::InfiniteFuture();
  // An earlier attempt with the same idempotency key may have reached the
  // CA before it failed or the process died: look for what it created
  // before creating anything.
  bool resumed = false;
  // Only look for an order an earlier attempt created; NOT_FOUND when there
  // is none. Used when a cancel names a submit whose answer was lost.
  bool find_only = false;
};

// Errors: INVALID_ARGUMENT (the request cannot succeed at this CA),
// FAILED_PRECONDITION (not in this state), NOT_FOUND (unknown ca_order_id),
// UNAVAILABLE / DEADLINE_EXCEEDED (retry), RESOURCE_EXHAUSTED with a
// retry-after (domain/retry_after.h).
class CaBackend {
 public:
  virtual ~CaBackend() = default;

  virtual domain::Capabilities GetCapabilities() const = 0;

  // Creates at most one CA order per command.idempotency_key, also when
  // called again after a crash (CallOptions::resumed).
  virtual absl::StatusOr<domain::OrderStatus> Submit(const domain::SubmitCommand& command,
                                                     const CallOptions& options) = 0;
  virtual absl::StatusOr<domain::OrderStatus> GetStatus(absl::string_view ca_order_id,
                                                        const CallOptions& options) = 0;
  // Cancels before issuance: CANCELLED, or PENDING while the CA works on it.
  virtual absl::StatusOr<domain::OrderStatus> Cancel(absl::string_view ca_order_id,
                                                     absl::string_view reason,
                                                     const CallOptions& options) = 0;
  // Revokes after issuance: REVOKED, or ISSUED while the CA works on it.
  virtual absl::StatusOr<domain::OrderStatus> Revoke(absl::string_view ca_order_id,
                                                     domain::RevocationReason reason,
                                                     const CallOptions& options) = 0;
  // A new CA order replacing an issued one; same once-per-key rule as Submit.
  virtual absl::StatusOr<domain::OrderStatus> Reissue(const domain::ReissueCommand& command,
                                                      const CallOptions& options) = 0;
  // A new CA order renewing one; same once-per-key rule as Submit.
  virtual absl::StatusOr<domain::OrderStatus> Renew(const domain::RenewCommand& command,
                                                    const CallOptions& options) = 0;

  // DCV operations. A backend that does not declare the capability keeps
  // these defaults: FAILED_PRECONDITION naming the capability.
  virtual absl::StatusOr<std::vector<std::string>> ListApproverEmails(absl::string_view host_name,
                                                                      const CallOptions& options);
  // Pending orders only (else FAILED_PRECONDITION naming the state); the
  // answer carries the new DCV instructions.
  virtual absl::StatusOr<domain::OrderStatus> ChangeDcvMethod(
      const domain::ChangeDcvCommand& command, const CallOptions& options);
  virtual absl::StatusOr<domain::OrderStatus> ResendDcvEmail(
      const domain::ResendDcvEmailCommand& command, const CallOptions& options);
  // Settles a submission this backend answered with domain::OutcomeUnknown
  // (domain/hold_signals.h). Default: FAILED_PRECONDITION (this backend
  // never leaves an outcome unknown).
  virtual absl::StatusOr<domain::OrderStatus> ResolveSubmission(
      const domain::ResolveSubmissionCommand& command, const CallOptions& options);
};

}  // namespace sslpanel::ca::app
