// The installation id row (migration 0004_installation): the prefix that
// makes this database's idempotency keys unique beyond it. Created once,
// read at start, renewed only when an operator asks (a restored or copied
// database). See app/idempotency_keys.h for why a prefix.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql/mysql.h"

namespace sslpanel::workflow::storage {

// The stored installation id; when there is none yet, `candidate` is stored
// first. Concurrent callers (two replicas, a migrate Job) all get the one id
// that won. FAILED_PRECONDITION when the stored value is malformed.
absl::StatusOr<std::string> EnsureInstallationId(mysql::ConnectionPool& pool,
                                                 const std::string& candidate, absl::Time now);

// Replaces the installation id with `fresh`, keeping the old one in
// previous_installation_id; returns the old one. New outbox rows get keys
// with the new prefix once the service restarts; stored rows keep theirs.
absl::StatusOr<std::string> RenewInstallationId(mysql::ConnectionPool& pool,
                                                const std::string& fresh, absl::Time now);

}  // namespace sslpanel::workflow::storage
