// WithTransaction against the real MariaDB that scripts/test starts: commit,
// rollback on an error or an exception, and a commit and a rollback that
// fail because the server ended the session.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "common/mysql/migrator.h"
#include "common/mysql/mysql.h"
#include "common/mysql/transaction.h"
#include "common/testing/test_database.h"
#include "common/time/deadline.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::mysql {
namespace {

using ::testing::HasSubstr;

const std::vector<Migration>& Items() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "0001_items",
       "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL,"
       " UNIQUE KEY uk_name (name)) ENGINE=InnoDB;"},
  };
  return *migrations;
}

void Exec(sql::Connection& conn, const std::string& sql) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute(sql);
}

int64_t Scalar(sql::Connection& conn, const std::string& sql) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
  rows->next();
  return rows->getInt64(1);
}

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    MysqlConfig config = db_->config();
    config.pool_size = 1;  // every call gets the same connection back
    auto pool = ConnectionPool::Create(config);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    auto other = ConnectionPool::Create(db_->config());
    ASSERT_TRUE(other.ok()) << other.status();
    other_ = *std::move(other);
    ASSERT_TRUE(ApplyMigrations(*pool_, Items()).ok());
  }

  int64_t CountItems() {
    int64_t count = -1;
    EXPECT_TRUE(other_
                    ->Run("count",
                          [&](sql::Connection& conn) {
                            count = Scalar(conn, "SELECT COUNT(*) FROM items");
                            return absl::OkStatus();
                          })
                    .ok());
    return count;
  }

  // Ends `conn`'s server session from another connection, as a server
  // restart or a proxy would.
  void Kill(sql::Connection& conn) {
    const int64_t id = Scalar(conn, "SELECT CONNECTION_ID()");
    ASSERT_TRUE(other_
                    ->Run("kill",
                          [&](sql::Connection& killer) {
                            Exec(killer, "KILL " + std::to_string(id));
                            return absl::OkStatus();
                          })
                    .ok());
  }

  int64_t ConnectionId() {
    int64_t id = 0;
    EXPECT_TRUE(pool_
                    ->Run("id",
                          [&](sql::Connection& conn) {
                            id = Scalar(conn, "SELECT CONNECTION_ID()");
                            return absl::OkStatus();
                          })
                    .ok());
    return id;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<ConnectionPool> other_;
};

TEST_F(TransactionTest, CommitsWhenTheFunctionSucceeds) {
  absl::Status status = WithTransaction(*pool_, "insert", [](sql::Connection& conn) {
    Exec(conn, "INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')");
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(CountItems(), 2);
  // The connection is back in autocommit mode: a plain insert is visible
  // to another connection at once.
  ASSERT_TRUE(pool_
                  ->Run("plain",
                        [](sql::Connection& conn) {
                          Exec(conn, "INSERT INTO items (id, name) VALUES (3, 'c')");
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(CountItems(), 3);
}

TEST_F(TransactionTest, RollsBackAndReturnsTheFunctionsError) {
  absl::Status refused = absl::FailedPreconditionError("not today");
  refused.SetPayload("type.test/kind", absl::Cord("mine"));
  absl::Status status = WithTransaction(*pool_, "insert", [&](sql::Connection& conn) {
    Exec(conn, "INSERT INTO items (id, name) VALUES (1, 'a')");
    return refused;
  });
  EXPECT_EQ(status, refused) << "the function's status, payloads and all";
  EXPECT_EQ(CountItems(), 0);
}

TEST_F(TransactionTest, ADeadlinePassingMidwayRollsBackAndKeepsTheConnection) {
  const int64_t id = ConnectionId();
  {
    ScopedDeadline deadline(absl::Now() + absl::Milliseconds(200));
    absl::Status status = WithTransaction(*pool_, "two inserts", [&](sql::Connection& conn) {
      pool_->Prepare(conn, "INSERT INTO items (id, name) VALUES (1, 'a')")->execute();
      absl::SleepFor(absl::Milliseconds(300));
      pool_->Prepare(conn, "INSERT INTO items (id, name) VALUES (2, 'b')")->execute();
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  }
  EXPECT_EQ(CountItems(), 0) << "the first insert must have been rolled back";
  EXPECT_EQ(ConnectionId(), id) << "no connection error: the connection stays";
}

TEST_F(TransactionTest, ConnectorErrorsBecomeStatusesAndRollBack) {
  absl::Status status = WithTransaction(*pool_, "insert twice", [](sql::Connection& conn) {
    Exec(conn, "INSERT INTO items (id, name) VALUES (1, 'a')");
    Exec(conn, "INSERT INTO items (id, name) VALUES (2, 'a')");  // duplicate name
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_THAT(status.message(), HasSubstr("insert twice"));
  EXPECT_EQ(CountItems(), 0) << "the first row went with the rollback";
}

TEST_F(TransactionTest, OtherExceptionsAreInternalAndDropTheConnection) {
  const int64_t before = ConnectionId();
  absl::Status status =
      WithTransaction(*pool_, "insert", [](sql::Connection& conn) -> absl::Status {
        Exec(conn, "INSERT INTO items (id, name) VALUES (1, 'a')");
        throw std::runtime_error("unreadable value");
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(), HasSubstr("unreadable value"));
  EXPECT_EQ(CountItems(), 0);
  EXPECT_NE(ConnectionId(), before) << "a connection mid-result is not reused";
}

TEST_F(TransactionTest, AFailedCommitIsUnavailableAndDropsTheConnection) {
  const int64_t before = ConnectionId();
  absl::Status status = WithTransaction(*pool_, "insert", [&](sql::Connection& conn) {
    Exec(conn, "INSERT INTO items (id, name) VALUES (1, 'a')");
    Kill(conn);
    return absl::OkStatus();  // so COMMIT runs, on a dead session
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr("insert"));
  EXPECT_EQ(CountItems(), 0) << "the session ended before COMMIT";
  EXPECT_NE(ConnectionId(), before) << "the dead connection is not handed out again";
}

TEST_F(TransactionTest, AFailedRollbackKeepsBothErrors) {
  const int64_t before = ConnectionId();
  absl::Status refused = absl::FailedPreconditionError("not today");
  refused.SetPayload("type.test/kind", absl::Cord("mine"));
  absl::Status status = WithTransaction(*pool_, "insert", [&](sql::Connection& conn) {
    Exec(conn, "INSERT INTO items (id, name) VALUES (1, 'a')");
    Kill(conn);
    return refused;  // so ROLLBACK runs, on a dead session
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("not today"));
  EXPECT_THAT(status.message(), HasSubstr("rollback failed"));
  EXPECT_EQ(status.GetPayload("type.test/kind"), absl::Cord("mine"));
  auto rollback = status.GetPayload(kRollbackErrorPayload);
  ASSERT_TRUE(rollback.has_value());
  EXPECT_THAT(std::string(*rollback), HasSubstr("UNAVAILABLE"));
  EXPECT_EQ(CountItems(), 0);
  EXPECT_NE(ConnectionId(), before) << "the dead connection is not handed out again";
}

TEST_F(TransactionTest, UnavailablePoolIsReturnedWithoutCallingTheFunction) {
  MysqlConfig config = db_->config();
  config.pool_size = 1;
  config.acquire_timeout = absl::Milliseconds(50);
  auto pool = ConnectionPool::Create(config);
  ASSERT_TRUE(pool.ok());
  auto held = (*pool)->Acquire();
  ASSERT_TRUE(held.ok());
  bool called = false;
  absl::Status status = WithTransaction(**pool, "insert", [&](sql::Connection&) {
    called = true;
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace sslpanel::mysql
