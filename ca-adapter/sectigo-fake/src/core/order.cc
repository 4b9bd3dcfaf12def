#include "ca-adapter/sectigo-fake/src/core/order.h"

#include <algorithm>

namespace sslpanel::sectigo_fake {
namespace {

Decision Refuse(int code, const char* message) { return Decision{code, message, std::nullopt}; }

Decision Accept(std::optional<CertState> next) { return Decision{0, "", next}; }

}  // namespace

const char* CertStateName(CertState state) {
  switch (state) {
    case CertState::kAwaitingValidation:
      return "Awaiting Validation";
    case CertState::kIssued:
      return "Issued";
    case CertState::kRejected:
      return "Rejected";
    case CertState::kRevoked:
      return "Revoked";
    case CertState::kReplaced:
      return "Replaced";
  }
  return "";
}

Decision DecideRevoke(CertState state, RevokeCall call, bool test) {
  Decision decision;
  switch (state) {
    case CertState::kAwaitingValidation:
      decision = Accept(CertState::kRejected);
      break;
    case CertState::kIssued:
      decision = Accept(call == RevokeCall::kRevokeCertificateNoCrl ? CertState::kReplaced
                                                                    : CertState::kRevoked);
      break;
    case CertState::kReplaced:
      decision = Accept(call == RevokeCall::kRevokeCertificateNoCrl
                            ? std::nullopt
                            : std::optional<CertState>(CertState::kRevoked));
      break;
    case CertState::kRejected:
      return Refuse(-20, "The order has already been rejected!");
    case CertState::kRevoked:
      return Refuse(-21, "The certificate has already been revoked!");
  }
  if (test) {
    decision.next.reset();
  }
  return decision;
}

Decision DecideCollect(CertState state, bool account_unpaid, int query_type) {
  if (account_unpaid) {
    return Refuse(-22, "The order is awaiting payment!");
  }
  switch (state) {
    case CertState::kAwaitingValidation:
      return Decision{0, "", std::nullopt};
    case CertState::kIssued:
    case CertState::kReplaced:
      return Decision{query_type == 0 ? 1 : 2, "", std::nullopt};
    case CertState::kRejected:
      return Refuse(-20, "The order has been rejected or cancelled!");
    case CertState::kRevoked:
      return Refuse(-21, "The certificate has been revoked!");
  }
  return Refuse(-14, "An unknown error occurred!");
}

Decision DecideReplace(CertState state, bool expired) {
  switch (state) {
    case CertState::kIssued:
      if (expired) {
        return Refuse(-36, "The certificate has expired and cannot be replaced!");
      }
      return Accept(std::nullopt);
    case CertState::kAwaitingValidation:
      return Refuse(-26, "The certificate is being issued!");
    case CertState::kRejected:
      return Refuse(-20, "The order has been rejected or cancelled!");
    case CertState::kRevoked:
    case CertState::kReplaced:
      return Refuse(-21, "The certificate has already been revoked!");
  }
  return Refuse(-14, "An unknown error occurred!");
}

Decision DecideDcvChange(CertState state) {
  if (state == CertState::kAwaitingValidation) {
    return Accept(std::nullopt);
  }
  return Refuse(-160, "The order is not awaiting domain control validation!");
}

bool AllValidated(const Certificate& certificate) {
  return std::all_of(certificate.dcv.begin(), certificate.dcv.end(),
                     [](const NameDcv& name) { return name.validated; });
}

}  // namespace sslpanel::sectigo_fake
