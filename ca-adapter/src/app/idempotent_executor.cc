#include "ca-adapter/src/app/idempotent_executor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::ca::app {

bool IsDefinitive(absl::StatusCode code) {
  // Exactly the codes the workflow treats as final (ca.proto's service
  // comment). Anything else it retries with the same key, so storing it
  // would turn a passing problem (a misconfigured adapter, an account the CA
  // lost, a bug) into that key's answer for ever.
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::string> IdempotentExecutor::Run(const IdempotentRequest& request,
                                                    absl::Time deadline, const Action& action) {
  IdempotencyRecord proposed;
  proposed.key = request.key;
  proposed.operation = request.operation;
  proposed.fingerprint = request.fingerprint;
  proposed.request = request.serialized;
  absl::StatusOr<Claim> claim = store_.ClaimKey(proposed, clock_.Now(), lease_);
  if (!claim.ok()) {
    return claim.status();
  }
  switch (claim->kind) {
    case Claim::Kind::kNew:
    case Claim::Kind::kResumed:
      return Execute(std::move(claim->record), claim->kind == Claim::Kind::kResumed, deadline,
                     action);
    case Claim::Kind::kExisting:
    case Claim::Kind::kTombstoned:
      break;
  }
  return ReplayExisting(request, claim->record);
}

absl::StatusOr<std::string> IdempotentExecutor::ReplayExisting(const IdempotentRequest& request,
                                                               const IdempotencyRecord& record) {
  // A tombstone blocks every operation: whatever the late request is, it
  // must not create an order.
  if (record.state == RecordState::kCancelled) {
    return absl::FailedPreconditionError(
        absl::StrCat("idempotency_key: \"", request.key,
                     "\" was cancelled before any order was submitted with it; no order will "
                     "be created with this key"));
  }
  if (record.operation != request.operation) {
    return absl::AlreadyExistsError(absl::StrCat("idempotency_key: \"", request.key,
                                                 "\" was already used for ", record.operation));
  }
  if (record.fingerprint != request.fingerprint) {
    return absl::AlreadyExistsError(absl::StrCat("idempotency_key: \"", request.key,
                                                 "\" was already used for a different ",
                                                 record.operation, " request"));
  }
  switch (record.state) {
    case RecordState::kSucceeded:
      return record.response;
    case RecordState::kFailed:
      return absl::Status(record.error_code, record.error_message);
    case RecordState::kInProgress:
      return absl::AbortedError(absl::StrCat("a ", record.operation,
                                             " request with idempotency key \"", request.key,
                                             "\" is still in progress; retry later"));
    case RecordState::kCancelled:
      break;
  }
  return absl::InternalError("unreachable idempotency record state");
}

absl::StatusOr<std::string> IdempotentExecutor::Execute(IdempotencyRecord record, bool resumed,
                                                        absl::Time deadline, const Action& action) {
  if (resumed) {
    log::Info("resuming interrupted call", {{"operation", record.operation},
                                            {"idempotency_key", record.key},
                                            {"attempt", record.attempt}});
  }
  CallOptions options;
  options.deadline = deadline;
  options.resumed = resumed;
  absl::StatusOr<Answer> answer = action(options);
  if (!answer.ok() && !IsDefinitive(answer.status().code())) {
    // Nothing to remember: the next call with this key tries again at once
    // (resumed, so the backend first looks for what this attempt created).
    if (absl::Status released = store_.Release(record.key, record.attempt, clock_.Now());
        !released.ok()) {
      log::Warning("cannot release idempotency key",
                   {{"idempotency_key", record.key}, {"error", released}});
    }
    return answer.status();
  }
  if (answer.ok()) {
    record.state = RecordState::kSucceeded;
    record.response = answer->response;
    record.ca_order_id = answer->ca_order_id;
  } else {
    record.state = RecordState::kFailed;
    record.error_code = answer.status().code();
    record.error_message = std::string(answer.status().message());
  }
  absl::Status finished = store_.Finish(record, clock_.Now());
  if (finished.code() == absl::StatusCode::kAborted) {
    // Our lease ran out and another call took the key over; if it already
    // answered, its answer is the one replays get, so return that one too.
    absl::StatusOr<std::optional<IdempotencyRecord>> stored = store_.Get(record.key);
    if (stored.ok() && stored->has_value()) {
      if ((*stored)->state == RecordState::kSucceeded) {
        return (*stored)->response;
      }
      if ((*stored)->state == RecordState::kFailed) {
        return absl::Status((*stored)->error_code, (*stored)->error_message);
      }
    }
    log::Warning("idempotency lease lost before the answer was stored",
                 {{"idempotency_key", record.key}});
  } else if (!finished.ok()) {
    // The CA did the work but the answer is not stored: report a retryable
    // error; the retry resumes and the backend finds the order again.
    (void)store_.Release(record.key, record.attempt, clock_.Now());
    return finished;
  }
  if (!answer.ok()) {
    return answer.status();
  }
  return answer->response;
}

absl::StatusOr<SubmitResolution> IdempotentExecutor::ResolveSubmitKey(
    absl::string_view submit_key, const std::vector<std::string>& creating_operations,
    absl::Time deadline, const Finder& find) {
  absl::StatusOr<Claim> claim =
      store_.ClaimForCancel(submit_key, creating_operations.front(), clock_.Now(), lease_);
  if (!claim.ok()) {
    return claim.status();
  }
  IdempotencyRecord& record = claim->record;
  if (claim->kind == Claim::Kind::kTombstoned) {
    log::Info("submit key cancelled before use", {{"idempotency_key", std::string(submit_key)}});
    return SubmitResolution{true, ""};
  }
  if (record.state == RecordState::kCancelled) {
    return SubmitResolution{true, ""};
  }
  if (std::find(creating_operations.begin(), creating_operations.end(), record.operation) ==
      creating_operations.end()) {
    if (claim->kind == Claim::Kind::kResumed) {
      (void)store_.Release(record.key, record.attempt, clock_.Now());
    }
    return absl::InvalidArgumentError(absl::StrCat("submit_idempotency_key: \"", submit_key,
                                                   "\" was used for ", record.operation,
                                                   ", which creates no order"));
  }
  if (claim->kind == Claim::Kind::kExisting) {
    switch (record.state) {
      case RecordState::kSucceeded:
        return SubmitResolution{false, record.response};
      case RecordState::kFailed:  // the submit was refused outright: no order
      case RecordState::kCancelled:
        return SubmitResolution{true, ""};
      case RecordState::kInProgress:
        return absl::AbortedError(absl::StrCat("the submit with idempotency key \"", submit_key,
                                               "\" is still in progress; retry the cancel later"));
    }
  }
  // An interrupted submit: did it create an order before it stopped?
  CallOptions options;
  options.deadline = deadline;
  options.resumed = true;
  options.find_only = true;
  absl::StatusOr<Answer> found = find(record.operation, record.request, options);
  if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) {
    (void)store_.Release(record.key, record.attempt, clock_.Now());
    return found.status();
  }
  if (found.ok()) {
    record.state = RecordState::kSucceeded;
    record.response = found->response;
    record.ca_order_id = found->ca_order_id;
  } else {
    record.state = RecordState::kCancelled;
  }
  if (absl::Status finished = store_.Finish(record, clock_.Now()); !finished.ok()) {
    return finished;
  }
  if (!found.ok()) {
    return SubmitResolution{true, ""};
  }
  return SubmitResolution{false, found->response};
}

}  // namespace sslpanel::ca::app
