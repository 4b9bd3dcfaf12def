// The caller's deadline (common/time/deadline.h) at the database steps: a
// call past it stops before its next statement or connection and answers
// DEADLINE_EXCEEDED; work without a deadline is untouched.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <vector>

#include "absl/time/clock.h"
#include "common/mysql/mysql.h"
#include "common/testing/test_database.h"
#include "common/time/deadline.h"
#include "gtest/gtest.h"

namespace sslpanel::mysql {
namespace {

class DeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    MysqlConfig config = db_->config();
    config.pool_size = 2;
    auto pool = ConnectionPool::Create(config);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }

  absl::Status SelectOne() {
    return pool_->Run("select", [&](sql::Connection& conn) {
      Statement stmt = pool_->Prepare(conn, "SELECT 1");
      std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
      ++statements_run_;
      return absl::OkStatus();
    });
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
  int statements_run_ = 0;
};

TEST_F(DeadlineTest, WithoutADeadlineStatementsRun) {
  EXPECT_EQ(ScopedDeadline::Current(), absl::InfiniteFuture());
  EXPECT_TRUE(SelectOne().ok());
  EXPECT_EQ(statements_run_, 1);
}

TEST_F(DeadlineTest, PastTheDeadlineNoStatementRunsAndTheAnswerIsDeadlineExceeded) {
  ScopedDeadline deadline(absl::Now() - absl::Milliseconds(1));
  const absl::Status status = SelectOne();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(statements_run_, 0);
}

TEST_F(DeadlineTest, WithTransactionRollsBackWhenTheDeadlinePassesMidway) {
  ASSERT_TRUE(pool_
                  ->Run("create",
                        [&](sql::Connection& conn) {
                          pool_->Prepare(conn, "CREATE TABLE u (id INT PRIMARY KEY) ENGINE=InnoDB")
                              ->execute();
                          return absl::OkStatus();
                        })
                  .ok());
  {
    ScopedDeadline deadline(absl::Now() + absl::Milliseconds(200));
    const absl::Status status = WithTransaction(*pool_, "two inserts", [&](sql::Connection& conn) {
      pool_->Prepare(conn, "INSERT INTO u VALUES (1)")->execute();
      absl::SleepFor(absl::Milliseconds(300));
      pool_->Prepare(conn, "INSERT INTO u VALUES (2)")->execute();
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  }
  int64_t rows = -1;
  ASSERT_TRUE(pool_
                  ->Run("count",
                        [&](sql::Connection& conn) {
                          Statement stmt = pool_->Prepare(conn, "SELECT COUNT(*) FROM u");
                          std::unique_ptr<sql::ResultSet> result(stmt->executeQuery());
                          result->next();
                          rows = result->getInt64(1);
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(rows, 0) << "the first insert must have been rolled back";
}

TEST_F(DeadlineTest, WaitingForAConnectionEndsAtTheCallersDeadline) {
  std::vector<PooledConnection> held;
  for (int i = 0; i < 2; ++i) {
    auto conn = pool_->Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status();
    held.push_back(*std::move(conn));
  }
  ScopedDeadline deadline(absl::Now() + absl::Milliseconds(200));
  const absl::Time start = absl::Now();
  const absl::Status status = SelectOne();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << "not the pool's own acquire timeout";
  EXPECT_EQ(statements_run_, 0);
}

}  // namespace
}  // namespace sslpanel::mysql
