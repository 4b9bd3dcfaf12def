// MySQL access shared by the services: configuration, a connection pool with
// one connection per borrower, an RAII transaction, and the translation of
// connector exceptions into absl::Status. Connector/C++ headers stay out of
// this header so that only storage code pays for them.
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

namespace sql {
class Connection;
class PreparedStatement;
class SQLException;
}  // namespace sql

namespace sslpanel::mysql {

// Transport security to the database, named like MySQL's --ssl-mode.
enum class TlsMode {
  kDisabled,        // plain TCP (a private server on loopback or a pod network)
  kRequired,        // encrypted; the server's certificate is not checked
  kVerifyCa,        // encrypted; the server's chain must lead to tls_ca
  kVerifyIdentity,  // as kVerifyCa, and the certificate must name `host`
};

// "disabled", "required", "verify_ca", "verify_identity" (case-insensitive).
bool ParseTlsMode(absl::string_view text, TlsMode* mode);
absl::string_view TlsModeName(TlsMode mode);

struct MysqlConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string database;
  std::string user;
  std::string password;  // never logged
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Seconds(5);
  // Read/write timeout of every statement on the socket.
  absl::Duration query_timeout = absl::Seconds(30);
  // How long Acquire() waits for a free connection.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // Server-side prepared statements kept open per connection by
  // ConnectionPool::Prepare (least recently used dropped first); 0 prepares
  // every time.
  int statement_cache_size = 64;
  TlsMode tls_mode = TlsMode::kDisabled;
  std::string tls_ca;    // PEM file of the CA(s) the server's chain must lead to
  std::string tls_cert;  // client certificate and key (PEM), for servers that
  std::string tls_key;   // require them (both or neither)

  // Names the first bad field ("--db_port must be 1..65535").
  absl::Status Validate() const;
  // host:port/database, for logs.
  std::string Describe() const;
};

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

// Runs `fn` in one transaction on a connection borrowed from `pool`: START
// TRANSACTION, `fn`, then COMMIT when `fn` returns OK and ROLLBACK when it
// returns an error or throws. A connector exception (from `fn`, START or
// COMMIT) becomes a status as in ConnectionPool::Run, and a connection error
// drops the connection (its server session, and so the transaction, ends
// with it, so no ROLLBACK is sent). When the ROLLBACK itself fails, the
// returned status keeps the first error's code, message and payloads and
// adds the rollback's error to its message and as the kRollbackErrorPayload
// payload. `what` names the operation.
absl::Status WithTransaction(ConnectionPool& pool, absl::string_view what,
                             const std::function<absl::Status(sql::Connection&)>& fn);

// The payload WithTransaction attaches when a rollback failed too.
inline constexpr char kRollbackErrorPayload[] = "type.sslpanel/rollback_error";

// An RAII transaction: rolls back in its destructor unless committed. Prefer
// WithTransaction, which also borrows the connection and reports a failed
// rollback. The
// connection stays in autocommit mode; START TRANSACTION opens an explicit
// transaction and COMMIT/ROLLBACK end it, one round trip each.
class Transaction {
 public:
  // Starts a transaction on `conn`.
  explicit Transaction(sql::Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Commits; throws sql::SQLException like any statement.
  void Commit();

 private:
  sql::Connection& conn_;
  bool done_ = false;
};

// Formats a time as a UTC DATETIME(6) literal: "2026-11-25 15:43:40.123456".
std::string ToSqlTime(absl::Time t);
// Parses a UTC DATETIME(6) value; InfinitePast() when empty.
absl::Time FromSqlTime(absl::string_view text);

}  // namespace sslpanel::mysql
