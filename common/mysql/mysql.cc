#include "common/mysql/mysql.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/time/deadline.h"

namespace sslpanel::mysql {
namespace {

// MySQL / MariaDB client and server error numbers.
constexpr int kErrDuplicateKey = 1062;
constexpr int kErrLockWaitTimeout = 1205;
constexpr int kErrDeadlock = 1213;
constexpr int kErrServerGone = 2006;
constexpr int kErrServerLost = 2013;
constexpr int kErrCannotConnect = 2002;
constexpr int kErrConnHostError = 2003;
constexpr int kErrServerShutdown = 1053;
constexpr int kErrQueryInterrupted = 1317;
constexpr int kErrConnectionKilled = 1927;  // MariaDB

sql::mysql::MySQL_Driver* Driver() {
  // The driver's first initialisation is not thread-safe; a function-local
  // static makes it happen exactly once.
  static sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

}  // namespace

// The prepared statements of one connection by SQL text, least recently used
// last. Destroyed before its connection closes. Eviction closes the least
// recently used statement; a borrower holds a few statements at a time, far
// below the capacity, so that is never one still in use.
class StatementCache {
 public:
  explicit StatementCache(size_t capacity) : capacity_(capacity) {}

  sql::PreparedStatement& Get(sql::Connection& conn, const std::string& sql) {
    auto found = index_.find(sql);
    if (found != index_.end()) {
      entries_.splice(entries_.begin(), entries_, found->second);
      sql::PreparedStatement& stmt = *found->second->second;
      stmt.clearParameters();
      return stmt;
    }
    std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(sql));
    if (entries_.size() >= capacity_) {
      index_.erase(entries_.back().first);
      entries_.pop_back();  // closes the server-side statement
    }
    entries_.emplace_front(sql, std::move(stmt));
    index_[sql] = entries_.begin();
    return *entries_.front().second;
  }

 private:
  using Entry = std::pair<std::string, std::unique_ptr<sql::PreparedStatement>>;
  size_t capacity_;
  std::list<Entry> entries_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

Statement::Statement(sql::PreparedStatement* borrowed,
                     std::unique_ptr<sql::PreparedStatement> owned)
    : stmt_(owned != nullptr ? owned.get() : borrowed), owned_(std::move(owned)) {}

Statement::~Statement() = default;

bool IsConnectionError(const sql::SQLException& e) {
  switch (e.getErrorCode()) {
    case kErrServerGone:
    case kErrServerLost:
    case kErrCannotConnect:
    case kErrConnHostError:
    case kErrServerShutdown:
    case kErrConnectionKilled:
      return true;
    default:
      return false;
  }
}

absl::Status TranslateSqlError(const sql::SQLException& e, absl::string_view what) {
  // The server's text names tables, keys, hosts and values: it goes to the
  // log; callers get the operation, the code and what to do.
  const int code = e.getErrorCode();
  log::Warning("database error",
               {{"operation", what}, {"mysql_error", code}, {"detail", e.what()}});
  switch (code) {
    case kErrDuplicateKey:
      return absl::AlreadyExistsError(
          absl::StrCat(what, ": duplicate key (MySQL error ", code, ")"));
    case kErrDeadlock:
    case kErrLockWaitTimeout:
    case kErrQueryInterrupted:
      return absl::AbortedError(
          absl::StrCat(what, ": lost a database race (MySQL error ", code, "); retry"));
    default:
      break;
  }
  if (IsConnectionError(e)) {
    return absl::UnavailableError(
        absl::StrCat(what, ": database unavailable (MySQL error ", code, "); retry"));
  }
  return absl::InternalError(absl::StrCat(what, ": MySQL error ", code, ": ", e.what()));
}

PooledConnection::PooledConnection(ConnectionPool* pool, std::unique_ptr<sql::Connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr && conn_ != nullptr) {
    pool_->Release(std::move(conn_), broken_);
  }
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(const MysqlConfig& config) {
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  auto pool = std::unique_ptr<ConnectionPool>(new ConnectionPool(config));
  auto first = pool->Connect();
  if (!first.ok()) {
    return first.status();
  }
  std::lock_guard<std::mutex> lock(pool->mu_);
  pool->idle_.push_back(*std::move(first));
  pool->open_ = 1;
  return pool;
}

ConnectionPool::ConnectionPool(const MysqlConfig& config) : config_(config) {}

ConnectionPool::~ConnectionPool() {
  // Statements before the connections they were prepared on.
  caches_.clear();
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<sql::Connection>> ConnectionPool::Connect() {
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString(config_.host);
  options["port"] = config_.port;
  options["userName"] = sql::SQLString(config_.user);
  options["password"] = sql::SQLString(config_.password);
  options["schema"] = sql::SQLString(config_.database);
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  options["OPT_CONNECT_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(config_.connect_timeout));
  options["OPT_READ_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(config_.query_timeout));
  options["OPT_WRITE_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(config_.query_timeout));
  options["OPT_RECONNECT"] = false;  // a silent reconnect would lose session state
  // Connector/C++ 1.1 over MariaDB Connector/C: sslEnforce asks for TLS (a
  // session that still ends up in plaintext is refused below), a CA makes
  // the chain checked, sslVerify adds the host name check (measured against
  // a TLS MariaDB: mysql_tls_test.cc).
  if (config_.tls_mode != TlsMode::kDisabled) {
    options["sslEnforce"] = true;
    if (!config_.tls_ca.empty()) {
      options["sslCA"] = sql::SQLString(config_.tls_ca);
    }
    if (!config_.tls_cert.empty()) {
      options["sslCert"] = sql::SQLString(config_.tls_cert);
      options["sslKey"] = sql::SQLString(config_.tls_key);
    }
    options["sslVerify"] = config_.tls_mode == TlsMode::kVerifyIdentity;
  }
  try {
    std::unique_ptr<sql::Connection> conn(Driver()->connect(options));
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    // Every time the services write is UTC; the session must agree.
    stmt->execute("SET time_zone = '+00:00'");
    stmt->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    if (config_.tls_mode != TlsMode::kDisabled) {
      // Connector/C drops TLS silently when the server does not offer it
      // and the name is not verified: check what the session really got.
      std::unique_ptr<sql::ResultSet> cipher(
          stmt->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
      if (!cipher->next() || cipher->getString(2).length() == 0) {
        log::Warning("database session is not encrypted; refusing it",
                     {{"database", config_.Describe()}});
        return absl::UnavailableError(absl::StrCat("database session without TLS (--db_tls_mode=",
                                                   TlsModeName(config_.tls_mode), "); retry"));
      }
    }
    if (config_.statement_cache_size > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      caches_[conn.get()] =
          std::make_unique<StatementCache>(static_cast<size_t>(config_.statement_cache_size));
    }
    return conn;
  } catch (const sql::SQLException& e) {
    // Access denied, unknown database, refused: the dependency's fault, and
    // the details (user, host) stay in the log.
    log::Warning("cannot connect to the database", {{"database", config_.Describe()},
                                                    {"mysql_error", e.getErrorCode()},
                                                    {"detail", e.what()}});
    return absl::UnavailableError(
        absl::StrCat("database unavailable (MySQL error ", e.getErrorCode(), "); retry"));
  }
}

absl::Status CallDeadlineExceeded() {
  return absl::DeadlineExceededError("the caller's deadline passed; the call stopped");
}

absl::StatusOr<PooledConnection> ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  // Waits no longer than the caller's deadline (ScopedDeadline) either.
  const absl::Duration call_left = ScopedDeadline::Current() - absl::Now();
  if (call_left <= absl::ZeroDuration()) {
    return CallDeadlineExceeded();
  }
  const bool call_bound = call_left < config_.acquire_timeout;
  const auto deadline =
      std::chrono::steady_clock::now() +
      absl::ToChronoMilliseconds(call_bound ? call_left : config_.acquire_timeout);
  while (idle_.empty() && open_ >= config_.pool_size) {
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= config_.pool_size) {
      if (call_bound) {
        return CallDeadlineExceeded();
      }
      return absl::UnavailableError(absl::StrCat("no database connection free within ",
                                                 absl::FormatDuration(config_.acquire_timeout),
                                                 " (pool size ", config_.pool_size, ")"));
    }
  }
  if (!idle_.empty()) {
    std::unique_ptr<sql::Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (conn->isClosed()) {
      Drop(std::move(conn));
      lock.lock();
      --open_;
      lock.unlock();
      return Acquire();
    }
    return PooledConnection(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  auto conn = Connect();
  if (!conn.ok()) {
    std::lock_guard<std::mutex> relock(mu_);
    --open_;
    released_.notify_one();
    return conn.status();
  }
  return PooledConnection(this, *std::move(conn));
}

void ConnectionPool::Drop(std::unique_ptr<sql::Connection> conn) {
  std::unique_ptr<StatementCache> cache;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = caches_.find(conn.get());
    if (it != caches_.end()) {
      cache = std::move(it->second);
      caches_.erase(it);
    }
  }
  try {
    cache.reset();  // closes its statements while the connection exists
    conn->close();
  } catch (const sql::SQLException&) {
    // Closing a dead connection may fail; it is being dropped anyway.
  }
  conn.reset();
}

Statement ConnectionPool::Prepare(sql::Connection& conn, const std::string& sql) {
  if (absl::Now() >= ScopedDeadline::Current()) {
    throw DeadlineExceeded();
  }
  StatementCache* cache = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = caches_.find(&conn);
    if (it != caches_.end()) {
      cache = it->second.get();
    }
  }
  if (cache == nullptr) {
    // Caching off, or a connection from elsewhere: an owned statement.
    return Statement(nullptr, std::unique_ptr<sql::PreparedStatement>(conn.prepareStatement(sql)));
  }
  return Statement(&cache->Get(conn, sql), nullptr);
}

void ConnectionPool::Release(std::unique_ptr<sql::Connection> conn, bool broken) {
  if (broken) {
    Drop(std::move(conn));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (conn == nullptr) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  released_.notify_one();
}

absl::Status ConnectionPool::Run(absl::string_view what,
                                 const std::function<absl::Status(sql::Connection&)>& fn) {
  auto conn = Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  try {
    return fn(**conn);
  } catch (const DeadlineExceeded&) {
    // Thrown before a statement ran: the connection is in a clean state
    // (an open transaction was rolled back by its destructor).
    return CallDeadlineExceeded();
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e)) {
      conn->MarkBroken();
    }
    return TranslateSqlError(e, what);
  } catch (const std::exception& e) {
    // No exception crosses a layer: anything else (a value this version
    // cannot read) is a broken invariant. The connection may be mid-result.
    conn->MarkBroken();
    return absl::InternalError(absl::StrCat(what, ": ", e.what()));
  }
}

}  // namespace sslpanel::mysql
