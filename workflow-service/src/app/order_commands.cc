// WorkflowApp's customer commands on an existing order: edit, submit, cancel,
// reissue, renew and the operator's prevalidation override. Each validates its
// input, then decides through Mutate.
#include "absl/strings/str_cat.h"
#include "workflow-service/src/app/order_checks.h"
#include "workflow-service/src/app/validation.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {
namespace {

Names NamesOf(const domain::Certificate& certificate) {
  return Names{certificate.common_name, certificate.additional_names};
}

}  // namespace

absl::StatusOr<OrderRecord> WorkflowApp::UpdateOrder(int64_t order_id, const EditInput& edit,
                                                     const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    const domain::Order& order = record.order;
    const int newest = static_cast<int>(order.certificates.size()) - 1;
    const domain::Certificate& certificate = order.certificates[newest];
    const Names names = NamesOf(certificate);
    domain::command::Edit command;
    if (edit.csr.has_value()) {
      if (absl::Status s = ValidateCsrForNames(csr_parser_, *edit.csr, names); !s.ok()) {
        return s;
      }
      command.csr_pem = *edit.csr;
    }
    if (edit.organization.has_value()) {
      auto organization = ValidateOrganization(
          *edit.organization, order.validation_type != domain::ValidationType::kDv);
      if (!organization.ok()) {
        return organization.status();
      }
      command.organization = *organization;
    }
    if (edit.dcv_method.has_value() || edit.approver_email.has_value() ||
        edit.domain_validations.has_value()) {
      const domain::DomainValidation first = certificate.domain_validations.empty()
                                                 ? domain::DomainValidation{}
                                                 : certificate.domain_validations.front();
      const domain::DcvMethod method = edit.dcv_method.value_or(first.method);
      const std::string approver = edit.approver_email.value_or(first.approver_email);
      std::vector<domain::DomainValidation> per_name;
      if (edit.domain_validations.has_value()) {
        per_name = *edit.domain_validations;
      } else if (!edit.dcv_method.has_value() && !edit.approver_email.has_value()) {
        per_name = certificate.domain_validations;
      }
      auto dcv = ExpandDcv(names, method, approver, per_name);
      if (!dcv.ok()) {
        return dcv.status();
      }
      command.domain_validations = *dcv;
    }
    return DecideOn(record, newest, command, caller);
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::SubmitOrder(int64_t order_id, const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    const int newest = static_cast<int>(record.order.certificates.size()) - 1;
    return DecideOn(record, newest, domain::command::Submit{}, caller);
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::CancelCertificate(int64_t order_id,
                                                           std::optional<int64_t> certificate_id,
                                                           const std::string& reason,
                                                           const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  if (reason.size() > 1000) {
    return absl::InvalidArgumentError("reason: at most 1000 characters");
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    auto index = ResolveCertificate(record, certificate_id);
    if (!index.ok()) {
      return index.status();
    }
    int target = *index;
    if (target < 0) {
      // Without an explicit certificate: the newest one that can be
      // cancelled, else the current one, whose refusal says why not.
      target = domain::DefaultCancelTarget(record.order);
      if (target < 0) {
        target = domain::CurrentCertificate(record.order);
      }
    }
    return DecideOn(record, target, domain::command::Cancel{reason}, caller);
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::ReissueCertificate(int64_t order_id,
                                                            const ReissueInput& input,
                                                            const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    auto index = ResolveCertificate(record, input.certificate_id);
    if (!index.ok()) {
      return index.status();
    }
    const int base = *index >= 0 ? *index : domain::NewestActive(record.order);
    if (base < 0) {
      return DecideOn(record, -1, domain::command::Reissue{input.csr, {}, {}}, caller);
    }
    const domain::Certificate& current = record.order.certificates[base];
    const Product* product = products_.Find(record.order.product_id);
    Names names = NamesOf(current);
    if (!input.additional_names.empty()) {
      if (product == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat("cannot change names: product ",
                                                          record.order.product_id,
                                                          " is no longer in the catalogue"));
      }
      auto validated = ValidateNames(current.common_name, input.additional_names, *product);
      if (!validated.ok()) {
        return validated.status();
      }
      names = *validated;
    }
    if (absl::Status s = ValidateCsrForNames(csr_parser_, input.csr, names); !s.ok()) {
      return s;
    }
    domain::command::Reissue command{input.csr, names.additional_names, {}};
    if (!input.additional_names.empty() || !input.domain_validations.empty()) {
      const domain::DomainValidation first = current.domain_validations.empty()
                                                 ? domain::DomainValidation{}
                                                 : current.domain_validations.front();
      auto dcv = ExpandDcv(names, first.method, first.approver_email, input.domain_validations);
      if (!dcv.ok()) {
        return dcv.status();
      }
      command.domain_validations = *dcv;
    }
    return DecideOn(record, base, command, caller);
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::RenewOrder(int64_t order_id, const std::string& csr,
                                                    int period_months, const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  if (period_months < 0) {
    return absl::InvalidArgumentError("period_months: must not be negative");
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    const int base = domain::NewestActive(record.order);
    if (base >= 0) {
      if (!csr.empty()) {
        if (absl::Status s =
                ValidateCsrForNames(csr_parser_, csr, NamesOf(record.order.certificates[base]));
            !s.ok()) {
          return s;
        }
      }
      const Product* product = products_.Find(record.order.product_id);
      if (period_months > 0 && product != nullptr) {
        if (absl::Status s = CheckPeriod(*product, period_months); !s.ok()) {
          return s;
        }
      }
    }
    return DecideOn(record, -1, domain::command::Renew{csr, period_months}, caller);
  });
}

absl::StatusOr<OrderRecord> WorkflowApp::OverridePrevalidation(int64_t order_id,
                                                               const std::string& reason,
                                                               const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  // With mutual TLS the operator is the certificate's identity; without it,
  // the typed name is all there is.
  if (caller.identity.empty() && (caller.actor.empty() || caller.actor == "api")) {
    return absl::InvalidArgumentError(
        "actor: an override must name the operator, e.g. \"operator:alice\"");
  }
  if (reason.empty() || reason.size() > 1000) {
    return absl::InvalidArgumentError(
        "reason: required (1..1000 characters); it is kept in the order's history");
  }
  return Mutate(order_id, caller, [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
    const int newest = static_cast<int>(record.order.certificates.size()) - 1;
    auto save = DecideOn(record, newest, domain::command::OverridePrevalidation{reason}, caller);
    if (save.ok()) {
      save->override_record = OverrideRecord{
          newest, caller.identity.empty() ? caller.actor : caller.identity, reason, clock_.Now()};
    }
    return save;
  });
}

}  // namespace sslpanel::workflow::app
