// The durable memory behind "a replay returns the first answer": one record
// per idempotency key with the request's fingerprint, a lease while a call is
// running, and the answer once there is one. Implemented in MySQL
// (storage/mysql_idempotency_store.h); every method is atomic on its own.
// Replicas share the store, so a lease must be measured by one clock: the
// MySQL store uses the database's, and takes `now` only to date its rows.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::ca::app {

enum class RecordState {
  // A call is running (lease in the future) or was interrupted (lease over).
  kInProgress,
  kSucceeded,
  // Finished with an error that replays must repeat (INVALID_ARGUMENT, ...).
  kFailed,
  // A submit key a cancel named before any submit used it; no order may
  // ever be created with it.
  kCancelled,
};

struct IdempotencyRecord {
  std::string key;
  std::string operation;    // RPC name, e.g. "SubmitOrder"
  std::string fingerprint;  // hash of the request; empty for kCancelled
  RecordState state = RecordState::kInProgress;
  int attempt = 0;  // increases each time a call takes the key over
  absl::Time lease_until = absl::InfinitePast();
  std::string request;   // the serialized request, to resume an interrupted call
  std::string response;  // the serialized answer when kSucceeded
  absl::StatusCode error_code = absl::StatusCode::kOk;  // when kFailed
  std::string error_message;
  std::string ca_order_id;  // the CA order the answer names, if any
};

struct Claim {
  enum class Kind {
    kNew,         // no record existed; this call owns the key (attempt 1)
    kResumed,     // an interrupted call's record was taken over (attempt + 1)
    kExisting,    // the record is someone else's or finished: see `record`
    kTombstoned,  // ClaimForCancel only: the key was unknown, now kCancelled
  };
  Kind kind = Kind::kExisting;
  IdempotencyRecord record;
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;

  // No record for proposed.key: inserts it in progress, leased for `lease`
  // (kNew). An in-progress record with the same operation and
  // fingerprint whose lease has ended: takes it over (kResumed). Otherwise
  // returns the stored record unchanged (kExisting).
  virtual absl::StatusOr<Claim> ClaimKey(const IdempotencyRecord& proposed, absl::Time now,
                                         absl::Duration lease) = 0;

  // For a cancel naming a submit key: no record inserts a kCancelled
  // tombstone for `operation` (kTombstoned); an in-progress record of any
  // operation whose lease has ended is taken over (kResumed); otherwise
  // kExisting.
  virtual absl::StatusOr<Claim> ClaimForCancel(absl::string_view key, absl::string_view operation,
                                               absl::Time now, absl::Duration lease) = 0;

  // Stores the outcome of the claim `record.attempt` holds (state, response
  // or error, ca_order_id). ABORTED when that attempt no longer owns the key
  // (its lease ended and another call took over).
  virtual absl::Status Finish(const IdempotencyRecord& record, absl::Time now) = 0;

  // Ends the lease of attempt `attempt` at `now` without an answer, so the
  // next call with the key resumes at once (after a retryable error).
  virtual absl::Status Release(absl::string_view key, int attempt, absl::Time now) = 0;

  virtual absl::StatusOr<std::optional<IdempotencyRecord>> Get(absl::string_view key) = 0;
};

}  // namespace sslpanel::ca::app
