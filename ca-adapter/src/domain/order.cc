#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::domain {

absl::string_view OrderStateName(OrderState state) {
  switch (state) {
    case OrderState::kPending:
      return "pending";
    case OrderState::kIssued:
      return "issued";
    case OrderState::kRefused:
      return "refused";
    case OrderState::kCancelled:
      return "cancelled";
    case OrderState::kRevoked:
      return "revoked";
  }
  return "unknown";
}

absl::string_view DcvMethodName(DcvMethod method) {
  switch (method) {
    case DcvMethod::kUnspecified:
      return "unspecified";
    case DcvMethod::kEmail:
      return "email";
    case DcvMethod::kDns:
      return "dns";
    case DcvMethod::kHttp:
      return "http";
    case DcvMethod::kHttps:
      return "https";
  }
  return "unknown";
}

absl::string_view ValidationTypeName(ValidationType type) {
  switch (type) {
    case ValidationType::kUnspecified:
      return "unspecified";
    case ValidationType::kDv:
      return "DV";
    case ValidationType::kOv:
      return "OV";
    case ValidationType::kEv:
      return "EV";
  }
  return "unknown";
}

}  // namespace sslpanel::ca::domain
