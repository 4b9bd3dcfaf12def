// Request checks every adapter applies before it talks to its CA. Each error
// is INVALID_ARGUMENT and starts with the proto field name it is about, so a
// caller sees "additional_names[2]: ..." rather than a generic refusal.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::domain {

inline constexpr size_t kMaxIdempotencyKeyLength = 128;
inline constexpr size_t kMaxCaOrderIdLength = 768;
// The workflow's own cap, and well inside the csr_pem TEXT columns (65,535
// bytes), which would otherwise cut a longer CSR short.
inline constexpr size_t kMaxCsrLength = 16 * 1024;
inline constexpr int kMaxPeriodMonths = 60;

absl::Status ValidateSubmit(const SubmitCommand& command, const Capabilities& capabilities);
absl::Status ValidateReissue(const ReissueCommand& command, const Capabilities& capabilities);
absl::Status ValidateRenew(const RenewCommand& command, const Capabilities& capabilities);
absl::Status ValidateCancel(const CancelCommand& command);
absl::Status ValidateRevoke(const RevokeCommand& command);
// A CA reference as GetOrderStatus receives it.
absl::Status ValidateCaOrderId(absl::string_view ca_order_id);
// DCV operations and the resolution of an unknown submission outcome. The
// names a change may touch are the pending order's, which only the backend
// knows; here each entry is checked on its own (host name, method offered,
// approver address for e-mail).
absl::Status ValidateListApproverEmails(absl::string_view host_name,
                                        const Capabilities& capabilities);
absl::Status ValidateChangeDcv(const ChangeDcvCommand& command, const Capabilities& capabilities);
absl::Status ValidateResendDcvEmail(const ResendDcvEmailCommand& command,
                                    const Capabilities& capabilities);
absl::Status ValidateResolveSubmission(const ResolveSubmissionCommand& command);

}  // namespace sslpanel::ca::domain
