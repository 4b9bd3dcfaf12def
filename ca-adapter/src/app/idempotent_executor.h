// "A replay returns the first answer and never creates a second CA order":
// runs a mutating call at most once per idempotency key, stores its answer
// durably, and resumes a call that was interrupted (crash, timeout, CA down)
// with CallOptions::resumed so the backend can find what it already created.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/app/idempotency_store.h"
#include "common/time/clock.h"

namespace sslpanel::ca::app {

struct IdempotentRequest {
  std::string key;
  std::string operation;
  // Hash of everything in the request but the key: the same key with a
  // different fingerprint is a caller bug (ALREADY_EXISTS).
  std::string fingerprint;
  // The request itself, so an interrupted call can be resumed from storage.
  std::string serialized;
};

// What a call produced: its serialized answer and the CA order it names.
struct Answer {
  std::string response;
  std::string ca_order_id;
};

// What a submit key stands for when a cancel names it.
struct SubmitResolution {
  // True when no order exists or ever will with that key.
  bool never_submitted = false;
  // Otherwise the submit's serialized answer (it names the CA order).
  std::string response;
};

class IdempotentExecutor {
 public:
  using Action = std::function<absl::StatusOr<Answer>(const CallOptions&)>;
  // Looks for the order an interrupted call of `operation` created, from its
  // serialized request; NOT_FOUND when there is none.
  using Finder = std::function<absl::StatusOr<Answer>(
      const std::string& operation, const std::string& serialized, const CallOptions&)>;

  // `lease` must outlast the longest call (the CA call budget and a margin):
  // a call running longer may see a replay run beside it.
  IdempotentExecutor(IdempotencyStore& store, const Clock& clock, absl::Duration lease)
      : store_(store), clock_(clock), lease_(lease) {}

  // Runs `action` unless the key already has an answer; returns the answer
  // (the stored one on a replay). Errors a replay must repeat (the request
  // was wrong, or wrong in this state) are stored; retryable ones are not,
  // so the next call with the key tries again (resumed).
  absl::StatusOr<std::string> Run(const IdempotentRequest& request, absl::Time deadline,
                                  const Action& action);

  // For a cancel that names `submit_key` instead of a CA reference: the
  // answer of the call that created an order with it (one of
  // `creating_operations`), or never_submitted after making sure no order
  // can be created with it any more. An unknown key is recorded as
  // cancelled under creating_operations[0].
  absl::StatusOr<SubmitResolution> ResolveSubmitKey(
      absl::string_view submit_key, const std::vector<std::string>& creating_operations,
      absl::Time deadline, const Finder& find);

 private:
  absl::StatusOr<std::string> Execute(IdempotencyRecord record, bool resumed, absl::Time deadline,
                                      const Action& action);
  absl::StatusOr<std::string> ReplayExisting(const IdempotentRequest& request,
                                             const IdempotencyRecord& record);

  IdempotencyStore& store_;
  const Clock& clock_;
  absl::Duration lease_;
};

// Errors that describe the request rather than the moment, and so are stored
// and repeated to replays: INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND
// and OUT_OF_RANGE, nothing else. Every other error leaves the key to be
// resumed by the next call with it.
bool IsDefinitive(absl::StatusCode code);

}  // namespace sslpanel::ca::app
