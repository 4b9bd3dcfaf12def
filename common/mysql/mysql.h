// MySQL access shared by the services: configuration, a connection pool with
// one connection per borrower, an RAII transaction, and the translation of
// connector exceptions into absl::Status. Connector/C++ headers stay out of
// this header so that only storage code pays for them.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sql {
class Connection;
class SQLException;
}  // namespace sql

namespace sslpanel::mysql {

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
  // connection error drops the connection. `what` names the operation.
  absl::Status Run(absl::string_view what, const std::function<absl::Status(sql::Connection&)>& fn);

  const MysqlConfig& config() const { return config_; }

 private:
  friend class PooledConnection;
  explicit ConnectionPool(const MysqlConfig& config);
  absl::StatusOr<std::unique_ptr<sql::Connection>> Connect();
  void Release(std::unique_ptr<sql::Connection> conn, bool broken);

  MysqlConfig config_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
  int open_ = 0;
};

// An RAII transaction: rolls back in its destructor unless committed.
class Transaction {
 public:
  // Starts a transaction (autocommit off) on `conn`.
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
