#include "ca-adapter/src/sectigo/sectigo_errors.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"

namespace sslpanel::ca::sectigo {
namespace {

// Codes that mean the same on every endpoint.
bool Common(int code, Handling* handling) {
  switch (code) {
    case -1:   // plain HTTP
    case -17:  // GET
      *handling = Handling::kAdapterBug;
      return true;
    case -2:  // unknown argument
    case -3:  // missing argument
    case -4:  // invalid value
      *handling = Handling::kInvalid;
      return true;
    case -14:  // unknown error
      *handling = Handling::kRetry;
      return true;
    case -15:  // not enough credit
    case -16:  // bad login, locked, expired password, IP blocked, API off
    case -91:  // no permission
      *handling = Handling::kAccount;
      return true;
    case -42:  // call limit
      *handling = Handling::kRateLimited;
      return true;
    default:
      return false;
  }
}

bool IsCsrOrNameCode(int code) {
  return (code <= -5 && code >= -13) || code == -18 || code == -19 || code == -40 || code == -41 ||
         code == -162;
}

}  // namespace

absl::string_view HandlingName(Handling handling) {
  switch (handling) {
    case Handling::kInvalid:
      return "invalid";
    case Handling::kPrecondition:
      return "precondition";
    case Handling::kRejected:
      return "rejected";
    case Handling::kRevoked:
      return "revoked";
    case Handling::kAlreadyDone:
      return "already-done";
    case Handling::kAccount:
      return "account";
    case Handling::kBeingIssued:
      return "being-issued";
    case Handling::kRateLimited:
      return "rate-limited";
    case Handling::kRetry:
      return "retry";
    case Handling::kAdapterBug:
      return "adapter-bug";
  }
  return "retry";
}

Handling Classify(Endpoint endpoint, int code) {
  Handling handling = Handling::kRetry;
  if (Common(code, &handling)) {
    return handling;
  }
  switch (endpoint) {
    case Endpoint::kAutoApplySsl:
      if (IsCsrOrNameCode(code) || code == -35 || code == -115 || code == -160) {
        return Handling::kInvalid;  // -35 here: an IP address as a name
      }
      if (code == -22) {
        return Handling::kAccount;  // awaiting payment
      }
      break;
    case Endpoint::kCollectSsl:
      if (code == -20) {
        return Handling::kRejected;
      }
      if (code == -21) {
        return Handling::kRevoked;
      }
      if (code == -22) {
        return Handling::kAccount;  // the order waits for the reseller's payment
      }
      if (code == -23 || code == -26) {
        return Handling::kBeingIssued;
      }
      break;
    case Endpoint::kAutoReplaceSsl:
      if (IsCsrOrNameCode(code) || code == -160) {
        return Handling::kInvalid;
      }
      if (code == -23 || code == -26) {
        return Handling::kBeingIssued;
      }
      if (code == -20 || code == -21 || code == -35 || code == -36) {
        return Handling::kPrecondition;  // rejected, revoked or expired: nothing to replace
      }
      break;
    case Endpoint::kAutoRevokeSsl:
      if (code == -20 || code == -21) {
        return Handling::kAlreadyDone;
      }
      if (code == -23 || code == -26) {
        return Handling::kBeingIssued;
      }
      if (code == -35 || code == -160) {
        return Handling::kPrecondition;  // -35 here: expired
      }
      break;
    case Endpoint::kResendDcvEmail:
    case Endpoint::kAutoUpdateDcv:
      if (code == -20 || code == -21 || code == -23 || code == -26 || code == -35 || code == -36) {
        return Handling::kPrecondition;  // no longer waiting for validation
      }
      if (code == -160) {
        return Handling::kPrecondition;  // "not awaiting DCV" (the fake's reading)
      }
      if (code == -47 || code == -90 || code == -126 || code == -139) {
        return Handling::kInvalid;  // meanings unconfirmed: the change as asked cannot be made
      }
      break;
    case Endpoint::kGetDcvEmailAddressList:
      break;
    case Endpoint::kWebHostReport:
      break;
  }
  return Handling::kRetry;
}

absl::Status ErrorStatus(Endpoint endpoint, int code, absl::string_view message,
                         absl::Duration backoff) {
  const std::string text =
      absl::StrCat("Sectigo ", EndpointName(endpoint), " answered ", code, ": ", message);
  switch (Classify(endpoint, code)) {
    case Handling::kInvalid:
      return absl::InvalidArgumentError(text);
    case Handling::kPrecondition:
    case Handling::kRejected:
    case Handling::kRevoked:
    case Handling::kAlreadyDone:
      return absl::FailedPreconditionError(text);
    case Handling::kAccount:
      return domain::AccountProblem(text);
    case Handling::kBeingIssued:
      return domain::WithRetryAfter(absl::UnavailableError(text), backoff);
    case Handling::kRateLimited:
      return domain::WithRetryAfter(absl::ResourceExhaustedError(text), backoff);
    case Handling::kRetry:
      return absl::UnavailableError(text);
    case Handling::kAdapterBug:
      return absl::InternalError(text);
  }
  return absl::UnavailableError(text);
}

bool RefusalCreatedNothing(Endpoint endpoint, int code) {
  return Classify(endpoint, code) != Handling::kRetry;
}

bool IsForeignOrderNumberTaken(int code, absl::string_view message) {
  return code < 0 && ContainsIgnoreCase(message, "foreignOrderNumber") &&
         (ContainsIgnoreCase(message, "unique") || ContainsIgnoreCase(message, "already"));
}

}  // namespace sslpanel::ca::sectigo
