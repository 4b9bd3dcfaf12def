#include "workflow-service/src/domain/rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "workflow-service/src/domain/names.h"

namespace sslpanel::workflow::domain {
namespace {

bool Contains(const std::vector<Action>& actions, Action action) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

// The newest renewal of certificate `index` (after a rejected renewal the
// customer may renew again), or -1.
int SuccessorOf(const Order& order, int index) {
  for (int i = static_cast<int>(order.certificates.size()) - 1; i > index; --i) {
    if (order.certificates[i].predecessor == index &&
        order.certificates[i].kind == CertificateKind::kRenewal) {
      return i;
    }
  }
  return -1;
}

}  // namespace

bool IsInFlight(const Certificate& certificate) {
  return certificate.status == CertificateStatus::kOpen ||
         certificate.status == CertificateStatus::kRequested;
}

bool IsFinal(const Order& order, int index) {
  const Certificate& c = order.certificates[index];
  switch (c.status) {
    case CertificateStatus::kRejected:
    case CertificateStatus::kRevoked:
    case CertificateStatus::kExpired:
      return true;
    case CertificateStatus::kRenewed: {
      const int successor = SuccessorOf(order, index);
      return successor < 0 || !IsInFlight(order.certificates[successor]);
    }
    default:
      return false;
  }
}

bool NeedsCaWatch(const Order& order, int index) {
  const Certificate& c = order.certificates[index];
  if (c.status == CertificateStatus::kRequested || c.pending == PendingOperation::kCancel) {
    return true;
  }
  if (c.status != CertificateStatus::kActive) {
    return false;
  }
  for (int i = index + 1; i < static_cast<int>(order.certificates.size()); ++i) {
    if (order.certificates[i].kind == CertificateKind::kReissue &&
        order.certificates[i].status == CertificateStatus::kActive) {
      return true;
    }
  }
  return false;
}

int InFlightCertificate(const Order& order) {
  for (int i = static_cast<int>(order.certificates.size()) - 1; i >= 0; --i) {
    if (IsInFlight(order.certificates[i])) {
      return i;
    }
  }
  return -1;
}

OrderStatus ComputeOrderStatus(const Order& order) {
  for (int i = 0; i < static_cast<int>(order.certificates.size()); ++i) {
    if (!IsFinal(order, i)) {
      return OrderStatus::kOpen;
    }
  }
  return OrderStatus::kClosed;
}

ResellerCode ResellerCodeOf(const Certificate& c, absl::Time now) {
  switch (c.status) {
    case CertificateStatus::kOpen:
      return ResellerCode::kPai;
    case CertificateStatus::kRequested:
      return c.pending == PendingOperation::kCancel ? ResellerCode::kRej : ResellerCode::kReq;
    case CertificateStatus::kActive:
      return c.pending == PendingOperation::kCancel ? ResellerCode::kRej : ResellerCode::kAct;
    case CertificateStatus::kRejected:
    case CertificateStatus::kRevoked:
      return ResellerCode::kFai;
    case CertificateStatus::kExpired:
      return ResellerCode::kExp;
    case CertificateStatus::kRenewed:
      return c.not_after.has_value() && now < *c.not_after ? ResellerCode::kAct
                                                           : ResellerCode::kExp;
  }
  return ResellerCode::kPai;
}

int CurrentCertificate(const Order& order) {
  const int n = static_cast<int>(order.certificates.size());
  for (int i = n - 1; i >= 0; --i) {
    if (order.certificates[i].status != CertificateStatus::kRejected) {
      return i;
    }
  }
  return n - 1;
}

ResellerCode ResellerCodeOf(const Order& order, absl::Time now) {
  const int current = CurrentCertificate(order);
  return current < 0 ? ResellerCode::kPai : ResellerCodeOf(order.certificates[current], now);
}

bool SubmissionAtCa(const Certificate& certificate) {
  return certificate.status == CertificateStatus::kOpen &&
         (certificate.hold == HoldReason::kAwaitingCa ||
          certificate.hold == HoldReason::kCaOutcomeUnknown ||
          certificate.hold == HoldReason::kCaAccount);
}

int NewestActive(const Order& order) {
  for (int i = static_cast<int>(order.certificates.size()) - 1; i >= 0; --i) {
    if (order.certificates[i].status == CertificateStatus::kActive) {
      return i;
    }
  }
  return -1;
}

std::vector<Action> AllowedActions(const Order& order, int index, const ProductRules& product,
                                   absl::Time now) {
  std::vector<Action> actions;
  const Certificate& c = order.certificates[index];
  const bool newest = index == static_cast<int>(order.certificates.size()) - 1;
  switch (c.status) {
    case CertificateStatus::kOpen:
      if (newest && !SubmissionAtCa(c)) {
        actions.push_back(Action::kUpdate);
      }
      if ((c.pending == PendingOperation::kNone || c.hold == HoldReason::kPrevalidationFailed ||
           c.hold == HoldReason::kCaKeyConflict) &&
          !c.csr_pem.empty()) {
        actions.push_back(Action::kSubmit);
      }
      actions.push_back(Action::kCancel);
      if (c.hold == HoldReason::kPrevalidationFailed) {
        actions.push_back(Action::kOverridePrevalidation);
      }
      if (c.hold == HoldReason::kCaOutcomeUnknown) {
        actions.push_back(Action::kResolveCaSubmission);
      }
      break;
    case CertificateStatus::kRequested:
      if (c.pending == PendingOperation::kNone) {
        actions.push_back(Action::kCancel);
        actions.push_back(Action::kChangeDcvMethod);
        if (std::any_of(
                c.domain_validations.begin(), c.domain_validations.end(),
                [](const DomainValidation& dv) { return dv.method == DcvMethod::kEmail; })) {
          actions.push_back(Action::kResendDcvEmail);
        }
      }
      break;
    case CertificateStatus::kActive: {
      if (c.pending != PendingOperation::kNone || !c.not_after.has_value() || now >= *c.not_after) {
        break;
      }
      actions.push_back(Action::kCancel);
      if (index != NewestActive(order) || InFlightCertificate(order) >= 0) {
        break;
      }
      actions.push_back(Action::kReissue);
      if (product.renewal_window > absl::ZeroDuration() &&
          now >= *c.not_after - product.renewal_window) {
        actions.push_back(Action::kRenew);
      }
      break;
    }
    default:
      break;
  }
  return actions;
}

std::vector<Action> AllowedActions(const Order& order, const ProductRules& product,
                                   absl::Time now) {
  std::vector<Action> all;
  if (ComputeOrderStatus(order) == OrderStatus::kClosed) {
    return all;
  }
  for (int i = 0; i < static_cast<int>(order.certificates.size()); ++i) {
    for (Action action : AllowedActions(order, i, product, now)) {
      if (!Contains(all, action)) {
        all.push_back(action);
      }
    }
  }
  std::sort(all.begin(), all.end());
  return all;
}

bool PrevalidationApplies(ValidationType type, absl::string_view common_name,
                          absl::string_view country_code) {
  return type != ValidationType::kDv && IsUnderNl(common_name) &&
         absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(country_code), "NL");
}

int DefaultCancelTarget(const Order& order) {
  for (int i = static_cast<int>(order.certificates.size()) - 1; i >= 0; --i) {
    const Certificate& c = order.certificates[i];
    const bool cancellable =
        c.status == CertificateStatus::kOpen ||
        ((c.status == CertificateStatus::kRequested || c.status == CertificateStatus::kActive) &&
         c.pending == PendingOperation::kNone);
    if (cancellable) {
      return i;
    }
  }
  return -1;
}

}  // namespace sslpanel::workflow::domain
