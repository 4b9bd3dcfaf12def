// Transactions on a pooled connection: WithTransaction, the one way to open
// one.
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sql {
class Connection;
}  // namespace sql

namespace sslpanel::mysql {

class ConnectionPool;

// Runs `fn` in one transaction on a connection borrowed from `pool`: START
// TRANSACTION, `fn`, then COMMIT when `fn` returns OK and ROLLBACK when it
// returns an error or throws. A connector exception (from `fn`, START or
// COMMIT) becomes a status as in ConnectionPool::Run, and a connection error
// drops the connection (its server session, and so the transaction, ends
// with it, so no ROLLBACK is sent). When the ROLLBACK itself fails, the
// returned status keeps the first error's code, message and payloads and
// adds the rollback's error to its message and as the kRollbackErrorPayload
// payload. `what` names the operation. The connection stays in autocommit
// mode: START TRANSACTION opens an explicit transaction and COMMIT/ROLLBACK
// end it, one round trip each (toggling autocommit would cost a round trip
// at the start and another after the end).
absl::Status WithTransaction(ConnectionPool& pool, absl::string_view what,
                             const std::function<absl::Status(sql::Connection&)>& fn);

// The payload WithTransaction attaches when a rollback failed too.
inline constexpr char kRollbackErrorPayload[] = "type.sslpanel/rollback_error";

}  // namespace sslpanel::mysql
