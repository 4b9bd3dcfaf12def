#include "ca-adapter/src/app/ca_backend.h"

#include "absl/status/status.h"

namespace sslpanel::ca::app {

absl::StatusOr<std::vector<std::string>> CaBackend::ListApproverEmails(
    absl::string_view /*host_name*/, const CallOptions& /*options*/) {
  return absl::FailedPreconditionError(
      "this CA adapter does not list approver addresses (capability "
      "supports_list_approver_emails is false)");
}

absl::StatusOr<domain::OrderStatus> CaBackend::ChangeDcvMethod(
    const domain::ChangeDcvCommand& /*command*/, const CallOptions& /*options*/) {
  return absl::FailedPreconditionError(
      "this CA adapter cannot change the DCV method of a pending order (capability "
      "supports_change_dcv_method is false)");
}

absl::StatusOr<domain::OrderStatus> CaBackend::ResendDcvEmail(
    const domain::ResendDcvEmailCommand& /*command*/, const CallOptions& /*options*/) {
  return absl::FailedPreconditionError(
      "this CA adapter cannot send the DCV e-mail again (capability "
      "supports_resend_dcv_email is false)");
}

absl::StatusOr<domain::OrderStatus> CaBackend::ResolveSubmission(
    const domain::ResolveSubmissionCommand& command, const CallOptions& /*options*/) {
  return absl::FailedPreconditionError(
      "submission " + command.submit_idempotency_key +
      " has no unknown outcome to resolve: this CA adapter always finds what a lost "
      "submission created");
}

}  // namespace sslpanel::ca::app
