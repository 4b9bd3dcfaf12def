// The DCV operations of SectigoBackend on a pending order: the approver
// addresses the CA offers, a change of method or approver, and the approval
// e-mail once more.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/sectigo/sectigo_backend.h"
#include "ca-adapter/src/sectigo/sectigo_forms.h"
#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "common/log/log.h"

namespace sslpanel::ca::sectigo {

using domain::OrderState;
using domain::OrderStatus;

absl::Status SectigoBackend::CheckApprovers(
    const std::vector<domain::DomainValidation>& validations, absl::Time deadline) {
  // The CA accepts only addresses it listed for the name within 24 hours,
  // so asking is also what makes an address usable.
  app::CallOptions options;
  options.deadline = deadline;
  for (size_t i = 0; i < validations.size(); ++i) {
    const domain::DomainValidation& dv = validations[i];
    if (dv.method != domain::DcvMethod::kEmail) {
      continue;
    }
    absl::StatusOr<std::vector<std::string>> allowed = ListApproverEmails(dv.host_name, options);
    if (!allowed.ok()) {
      return allowed.status();
    }
    if (std::find(allowed->begin(), allowed->end(), absl::AsciiStrToLower(dv.approver_email)) ==
        allowed->end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("domain_validations[", i, "].approver_email: \"", dv.approver_email,
                       "\" is not an approver address Sectigo offers for ", dv.host_name,
                       " (offered: ", absl::StrJoin(*allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SectigoBackend::ListApproverEmails(
    absl::string_view host_name, const app::CallOptions& options) {
  CallOutcome outcome = Call(Endpoint::kGetDcvEmailAddressList,
                             {{"domainName", std::string(host_name)}}, options.deadline);
  if (!outcome.reply.ok()) {
    return outcome.reply.status();
  }
  if (outcome.reply->error_code < 0) {
    return Failure(Endpoint::kGetDcvEmailAddressList, *outcome.reply);
  }
  return ReadApproverEmails(*outcome.reply);
}

absl::StatusOr<OrderStatus> SectigoBackend::ChangeDcvMethod(const domain::ChangeDcvCommand& command,
                                                            const app::CallOptions& options) {
  if (absl::Status status = CheckDcvChoices(command.domain_validations); !status.ok()) {
    return status;
  }
  absl::StatusOr<SectigoOrder> order = Load(command.ca_order_id);
  if (!order.ok()) {
    return order.status();
  }
  if (order->state != OrderState::kPending || order->cancel_requested_at.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("order \"", command.ca_order_id, "\" is ",
                     order->cancel_requested_at.has_value() ? "being cancelled"
                                                            : domain::OrderStateName(order->state),
                     "; the DCV method can be changed only while it waits for validation"));
  }
  for (size_t i = 0; i < command.domain_validations.size(); ++i) {
    const domain::DomainValidation& dv = command.domain_validations[i];
    if (dv.method != domain::DcvMethod::kEmail) {
      continue;
    }
    absl::StatusOr<std::vector<std::string>> allowed = ListApproverEmails(dv.host_name, options);
    if (!allowed.ok()) {
      return allowed.status();
    }
    if (std::find(allowed->begin(), allowed->end(), absl::AsciiStrToLower(dv.approver_email)) ==
        allowed->end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("domain_validations[", i, "].approver_email: \"", dv.approver_email,
                       "\" is not an approver address Sectigo offers for ", dv.host_name,
                       " (offered: ", absl::StrJoin(*allowed, ", "), ")"));
    }
  }
  for (const domain::DomainValidation& dv : command.domain_validations) {
    Form form = {{"orderNumber", order->order_number}};
    if (order->names.size() > 1) {
      form.emplace_back("domainName", dv.host_name);
    }
    SetField(form, "newMethod",
             dv.method == domain::DcvMethod::kEmail   ? "EMAIL"
             : dv.method == domain::DcvMethod::kHttp  ? "HTTP_CSR_HASH"
             : dv.method == domain::DcvMethod::kHttps ? "HTTPS_CSR_HASH"
                                                      : "CNAME_CSR_HASH");
    if (dv.method == domain::DcvMethod::kEmail) {
      form.emplace_back("newDCVEmailAddress", dv.approver_email);
    }
    CallOutcome outcome = Call(Endpoint::kAutoUpdateDcv, form, options.deadline);
    if (!outcome.reply.ok()) {
      return outcome.reply.status();
    }
    if (outcome.reply->error_code < 0) {
      return Failure(Endpoint::kAutoUpdateDcv, *outcome.reply);
    }
    bool replaced = false;
    for (domain::DomainValidation& current : order->domain_validations) {
      if (absl::EqualsIgnoreCase(current.host_name, dv.host_name)) {
        current = dv;
        replaced = true;
      }
    }
    if (!replaced) {
      order->domain_validations.push_back(dv);
    }
  }
  if (absl::Status saved = Save(*order); !saved.ok()) {
    return saved;
  }
  log::Info("Sectigo DCV method changed",
            {{"ca_order_id", order->ca_order_id}, {"names", command.domain_validations.size()}});
  return StatusOf(*order);
}

absl::StatusOr<OrderStatus> SectigoBackend::ResendDcvEmail(
    const domain::ResendDcvEmailCommand& command, const app::CallOptions& options) {
  absl::StatusOr<SectigoOrder> order = Load(command.ca_order_id);
  if (!order.ok()) {
    return order.status();
  }
  if (order->state != OrderState::kPending || order->cancel_requested_at.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order \"", command.ca_order_id, "\" is ", domain::OrderStateName(order->state),
        "; the DCV e-mail can be sent again only while it waits for validation"));
  }
  std::vector<domain::DomainValidation> targets;
  for (const std::string& name : order->names) {
    domain::DomainValidation choice =
        ChoiceFor(name, order->domain_validations, config_.default_dcv_method);
    if (choice.method == domain::DcvMethod::kEmail &&
        (command.host_name.empty() || absl::EqualsIgnoreCase(name, command.host_name))) {
      targets.push_back(choice);
    }
  }
  if (targets.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        command.host_name.empty() ? std::string("no name of order \"" + command.ca_order_id + "\"")
                                  : absl::StrCat("host_name: ", command.host_name),
        " is not validated by e-mail; there is no DCV e-mail to send"));
  }
  for (const domain::DomainValidation& target : targets) {
    Form form = {{"orderNumber", order->order_number}};
    if (!target.approver_email.empty()) {
      form.emplace_back("dcvEmailAddress", target.approver_email);
    }
    CallOutcome outcome = Call(Endpoint::kResendDcvEmail, form, options.deadline);
    if (!outcome.reply.ok()) {
      return outcome.reply.status();
    }
    if (outcome.reply->error_code < 0) {
      return Failure(Endpoint::kResendDcvEmail, *outcome.reply);
    }
  }
  return StatusOf(*order);
}

}  // namespace sslpanel::ca::sectigo
