// MySQL access shared by the services: a connection pool with one
// connection per borrower and the translation of connector exceptions into
// absl::Status. Its configuration (config.h), transactions (transaction.h)
// and DATETIME text (sql_time.h) have headers of their own, included here
// so that storage code needs this one. Connector/C++ headers stay out of
// these headers so that only storage code pays for them.
#pragma once

#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/mysql/config.h"
#include "common/mysql/sql_time.h"
#include "common/mysql/transaction.h"

namespace sql {
class Connection;
class PreparedStatement;
class SQLException;
}  // namespace sql

namespace sslpanel::mysql {

// Translates a connector exception into a status: duplicate key ->
// ALREADY_EXISTS, deadlock -> ABORTED, lock wait timeout -> ABORTED, lost or
// refused connection -> UNAVAILABLE, anything else -> INTERNAL. `what` says
// what was being done.
absl::Status TranslateSqlError(const sql::SQLException& e, absl::string_view what);

// True when the error means the connection itself is unusable.
bool IsConnectionError(const sql::SQLException& e);

class ConnectionPool;
class StatementCache;

// Thrown by ConnectionPool::Prepare when the caller's deadline
// (ScopedDeadline, common/time/deadline.h) has passed; Run answers it with
// DEADLINE_EXCEEDED. Acquire waits no longer than that deadline either.
class DeadlineExceeded : public std::runtime_error {
 public:
  DeadlineExceeded() : std::runtime_error("the caller's deadline passed") {}
};

// DEADLINE_EXCEEDED for a call that ran out of time at a database step.
absl::Status CallDeadlineExceeded();

// A prepared statement from ConnectionPool::Prepare: borrowed from the
// connection's cache (never delete it), or owned when caching is off. Let
// its result sets go before the same SQL is prepared again on the same
// connection: they share the statement.
class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  ~Statement();

  sql::PreparedStatement& operator*() const { return *stmt_; }
  sql::PreparedStatement* operator->() const { return stmt_; }

 private:
  friend class ConnectionPool;
  Statement(sql::PreparedStatement* borrowed, std::unique_ptr<sql::PreparedStatement> owned);

  sql::PreparedStatement* stmt_;
  std::unique_ptr<sql::PreparedStatement> owned_;
};

// A connection borrowed from the pool; returned when destroyed. Never share
// one between threads.
class PooledConnection {
 public:
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();

  sql::Connection& operator*() const { return *conn_; }
  sql::Connection* operator->() const { return conn_.get(); }

  // Drops the connection instead of returning it (after a connection error).
  void MarkBroken() { broken_ = true; }

 private:
  friend class ConnectionPool;
  PooledConnection(ConnectionPool* pool, std::unique_ptr<sql::Connection> conn);

  ConnectionPool* pool_;
  std::unique_ptr<sql::Connection> conn_;
  bool broken_ = false;
};

class ConnectionPool {
 public:
  // Connects once to prove the configuration works; further connections are
  // opened on demand up to pool_size.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const MysqlConfig& config);
  ~ConnectionPool();

  // Borrows a connection, opening or re-opening one as needed. UNAVAILABLE
  // when the server cannot be reached or no connection frees up in time.
  absl::StatusOr<PooledConnection> Acquire();

  // Runs `fn` with a connection; a connector exception becomes a status and a
  // connection error drops the connection; any other exception is INTERNAL.
  // `what` names the operation.
  absl::Status Run(absl::string_view what, const std::function<absl::Status(sql::Connection&)>& fn);

  // `sql` prepared on `conn`, a connection borrowed from this pool: the
  // first time on that connection it is prepared on the server (a round
  // trip), afterwards the cached statement is reused with its parameters
  // cleared, so each use costs only its execution. Throws sql::SQLException
  // like Connection::prepareStatement.
  Statement Prepare(sql::Connection& conn, const std::string& sql);

  const MysqlConfig& config() const { return config_; }

 private:
  friend class PooledConnection;
  explicit ConnectionPool(const MysqlConfig& config);
  absl::StatusOr<std::unique_ptr<sql::Connection>> Connect();
  void Release(std::unique_ptr<sql::Connection> conn, bool broken);
  // Closes a connection that leaves the pool, its cached statements first.
  void Drop(std::unique_ptr<sql::Connection> conn);

  MysqlConfig config_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
  // The statement cache of every open connection, by connection. Each cache
  // is used only by the thread that has borrowed its connection.
  std::unordered_map<const sql::Connection*, std::unique_ptr<StatementCache>> caches_;
  int open_ = 0;
};

}  // namespace sslpanel::mysql
