// The DCV operations a customer needs while a certificate waits for
// validation at its CA (the approver addresses it accepts, another method,
// the approval e-mail again) and an operator's resolution of a submission
// whose outcome at the CA is unknown. The domain decides (domain/dcv.h);
// what only the CA adapter knows — whether it supports the operation, which
// approver addresses it accepts — is asked here, before the decision is
// saved. The CA hears of it through the outbox (dcv_delivery.cc).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/app/validation.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {
namespace {

absl::Status NoCaAccess() {
  return absl::UnavailableError("this workflow replica has no CA adapters configured");
}

// FAILED_PRECONDITION naming the capability the adapter lacks.
absl::Status Lacks(const std::string& adapter, absl::string_view capability,
                   absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat("cannot ", what, ": CA adapter \"", adapter,
                                                    "\" does not support it (capability ",
                                                    capability, " is false)"));
}

std::vector<std::string> NamesOf(const domain::Certificate& c) {
  std::vector<std::string> names = {absl::AsciiStrToLower(c.common_name)};
  for (const std::string& name : c.additional_names) {
    names.push_back(absl::AsciiStrToLower(name));
  }
  return names;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> WorkflowApp::ListApproverEmails(
    int64_t order_id, const std::string& host_name) {
  if (adapters_ == nullptr || capabilities_ == nullptr) {
    return NoCaAccess();
  }
  if (host_name.empty()) {
    return absl::InvalidArgumentError("host_name: required");
  }
  auto record = orders_.Get(order_id);
  if (!record.ok()) {
    return record.status();
  }
  const domain::Certificate& cert = record->order.certificates.back();
  const std::vector<std::string> names = NamesOf(cert);
  const std::string host = absl::AsciiStrToLower(host_name);
  if (std::find(names.begin(), names.end(), host) == names.end()) {
    return absl::InvalidArgumentError(absl::StrCat("host_name: \"", host_name,
                                                   "\" is not one of the order's names (",
                                                   absl::StrJoin(names, ", "), ")"));
  }
  auto capabilities = capabilities_->For(cert.ca_adapter);
  if (!capabilities.ok()) {
    return capabilities.status();
  }
  if (!capabilities->supports_list_approver_emails) {
    return Lacks(cert.ca_adapter, "supports_list_approver_emails", "list approver addresses");
  }
  CaClient* ca = adapters_->ForAdapter(cert.ca_adapter);
  if (ca == nullptr) {
    return NoCaAccess();
  }
  return ca->ListApproverEmails(host);
}

absl::StatusOr<OrderRecord> WorkflowApp::ChangeDcvMethod(
    int64_t order_id, std::optional<int64_t> certificate_id,
    const std::vector<domain::DomainValidation>& changes, const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  if (adapters_ == nullptr || capabilities_ == nullptr) {
    return NoCaAccess();
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    auto index = ResolveCertificate(record, certificate_id);
    if (!index.ok()) {
      return index.status();
    }
    const int target =
        *index >= 0 ? *index : static_cast<int>(record.order.certificates.size()) - 1;
    // The state and the names first: they need no CA.
    auto save = DecideOn(record, target, domain::command::RequestDcvChange{changes}, caller);
    if (!save.ok()) {
      return save.status();
    }
    const std::string& adapter = record.order.certificates[target].ca_adapter;
    auto capabilities = capabilities_->For(adapter);
    if (!capabilities.ok()) {
      return capabilities.status();
    }
    if (!capabilities->supports_change_dcv_method) {
      return Lacks(adapter, "supports_change_dcv_method", "change the DCV method");
    }
    if (!capabilities->supports_list_approver_emails) {
      return save;  // the CA checks the address itself
    }
    CaClient* ca = adapters_->ForAdapter(adapter);
    if (ca == nullptr) {
      return NoCaAccess();
    }
    for (size_t i = 0; i < changes.size(); ++i) {
      if (changes[i].method != domain::DcvMethod::kEmail) {
        continue;
      }
      const std::string host = absl::AsciiStrToLower(changes[i].host_name);
      auto allowed = ca->ListApproverEmails(host);
      if (!allowed.ok()) {
        return allowed.status();
      }
      const std::string email = absl::AsciiStrToLower(changes[i].approver_email);
      if (std::find(allowed->begin(), allowed->end(), email) == allowed->end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("domain_validations[", i, "].approver_email: \"",
                         changes[i].approver_email, "\" is not an address the CA accepts for ",
                         host, " (ListApproverEmails: ", absl::StrJoin(*allowed, ", "), ")"));
      }
    }
    return save;
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::ResendDcvEmail(int64_t order_id,
                                                        std::optional<int64_t> certificate_id,
                                                        const std::string& host_name,
                                                        const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  if (adapters_ == nullptr || capabilities_ == nullptr) {
    return NoCaAccess();
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    auto index = ResolveCertificate(record, certificate_id);
    if (!index.ok()) {
      return index.status();
    }
    const int target =
        *index >= 0 ? *index : static_cast<int>(record.order.certificates.size()) - 1;
    auto save = DecideOn(record, target, domain::command::RequestDcvEmailResend{host_name}, caller);
    if (!save.ok()) {
      return save.status();
    }
    const std::string& adapter = record.order.certificates[target].ca_adapter;
    auto capabilities = capabilities_->For(adapter);
    if (!capabilities.ok()) {
      return capabilities.status();
    }
    if (!capabilities->supports_resend_dcv_email) {
      return Lacks(adapter, "supports_resend_dcv_email", "send the DCV e-mail again");
    }
    return save;
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::ResolveCaSubmission(int64_t order_id,
                                                             const ResolutionInput& input,
                                                             const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  // With mutual TLS the operator is the certificate's identity; without it,
  // the actor must name them.
  if (caller.identity.empty() && (caller.actor.empty() || caller.actor == "api")) {
    return absl::InvalidArgumentError(
        "actor: a resolution must name the operator, e.g. \"operator:alice\"");
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    auto index = ResolveCertificate(record, input.certificate_id);
    if (!index.ok()) {
      return index.status();
    }
    const int target =
        *index >= 0 ? *index : static_cast<int>(record.order.certificates.size()) - 1;
    return DecideOn(record, target,
                    domain::command::RequestCaResolution{input.attach_ca_reference, input.resubmit,
                                                         input.reason},
                    caller);
  });
}

}  // namespace sslpanel::workflow::app
