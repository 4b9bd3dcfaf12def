// Runs against the real MariaDB that scripts/test starts.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <atomic>
#include <thread>

#include "common/mysql/migrator.h"
#include "common/mysql/mysql.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::mysql {
namespace {

using ::testing::HasSubstr;

const std::vector<Migration>& TwoMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "0001_items",
       "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL,"
       " UNIQUE KEY uk_name (name)) ENGINE=InnoDB;"},
      {2, "0002_items_note", "ALTER TABLE items ADD COLUMN note VARCHAR(20) NULL;"},
  };
  return *migrations;
}

class MysqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = ConnectionPool::Create(db_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(MysqlTest, MigrationsApplyOnceAndAreRecorded) {
  std::vector<int> applied;
  ASSERT_TRUE(ApplyMigrations(*pool_, TwoMigrations(), &applied).ok());
  EXPECT_EQ(applied, (std::vector<int>{1, 2}));
  applied.clear();
  ASSERT_TRUE(ApplyMigrations(*pool_, TwoMigrations(), &applied).ok());
  EXPECT_TRUE(applied.empty()) << "second run must change nothing";
  EXPECT_TRUE(CheckSchemaCurrent(*pool_, TwoMigrations()).ok());
}

TEST_F(MysqlTest, AMigrationInterruptedBeforeItWasRecordedCanBeRunAgain) {
  ASSERT_TRUE(ApplyMigrations(*pool_, TwoMigrations()).ok());
  // The DDL of 0002 committed, then the process died before recording it.
  ASSERT_TRUE(pool_
                  ->Run("forget",
                        [](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("DELETE FROM schema_migrations WHERE version = 2");
                          return absl::OkStatus();
                        })
                  .ok());
  std::vector<int> applied;
  absl::Status again = ApplyMigrations(*pool_, TwoMigrations(), &applied);
  ASSERT_TRUE(again.ok()) << again;
  EXPECT_EQ(applied, (std::vector<int>{2}));
  EXPECT_TRUE(CheckSchemaCurrent(*pool_, TwoMigrations()).ok());
}

TEST_F(MysqlTest, OlderSchemaIsRefusedNamingTheMissingMigration) {
  std::vector<Migration> first_only = {TwoMigrations()[0]};
  ASSERT_TRUE(ApplyMigrations(*pool_, first_only).ok());
  absl::Status status = CheckSchemaCurrent(*pool_, TwoMigrations());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("0002_items_note"));
  // A schema ahead of the binary is fine (rolling upgrades).
  ASSERT_TRUE(ApplyMigrations(*pool_, TwoMigrations()).ok());
  EXPECT_TRUE(CheckSchemaCurrent(*pool_, first_only).ok());
}

TEST_F(MysqlTest, EmptyDatabaseIsMissingTheFirstMigration) {
  absl::Status status = CheckSchemaCurrent(*pool_, TwoMigrations());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("0001_items"));
}

TEST_F(MysqlTest, DuplicateKeyBecomesAlreadyExists) {
  ASSERT_TRUE(ApplyMigrations(*pool_, TwoMigrations()).ok());
  auto insert = [&](int id) {
    return pool_->Run("insert item", [&](sql::Connection& conn) {
      std::unique_ptr<sql::PreparedStatement> stmt(
          conn.prepareStatement("INSERT INTO items (id, name) VALUES (?, 'same')"));
      stmt->setInt(1, id);
      stmt->executeUpdate();
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(insert(1).ok());
  absl::Status status = insert(2);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_THAT(status.message(), HasSubstr("insert item"));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("same"))) << "no values leak to callers";
}

TEST_F(MysqlTest, KilledConnectionIsReplacedOnNextAcquire) {
  int64_t first_id = 0;
  ASSERT_TRUE(pool_
                  ->Run("id",
                        [&](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          std::unique_ptr<sql::ResultSet> rows(
                              stmt->executeQuery("SELECT CONNECTION_ID()"));
                          rows->next();
                          first_id = rows->getInt64(1);
                          return absl::OkStatus();
                        })
                  .ok());
  // Kill it from another connection, as a server restart or a proxy would.
  auto killer = ConnectionPool::Create(db_->config());
  ASSERT_TRUE(killer.ok());
  ASSERT_TRUE((*killer)
                  ->Run("kill",
                        [&](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("KILL " + std::to_string(first_id));
                          return absl::OkStatus();
                        })
                  .ok());
  // The first use of the dead connection fails as UNAVAILABLE (retryable)...
  absl::Status failed = pool_->Run("after kill", [](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet>(stmt->executeQuery("SELECT 1"));
    return absl::OkStatus();
  });
  if (!failed.ok()) {
    EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  }
  // ...and the pool hands out a working connection afterwards.
  absl::Status again = pool_->Run("after reconnect", [](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet>(stmt->executeQuery("SELECT 1"));
    return absl::OkStatus();
  });
  EXPECT_TRUE(again.ok()) << again;
}

TEST_F(MysqlTest, PoolNeverHandsOneConnectionToTwoThreads) {
  std::atomic<int> in_use{0};
  std::atomic<int> max_in_use{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        absl::Status s = pool_->Run("sleep", [&](sql::Connection& conn) {
          int now = ++in_use;
          int seen = max_in_use.load();
          while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
          }
          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
          std::unique_ptr<sql::ResultSet>(stmt->executeQuery("SELECT SLEEP(0.01)"));
          --in_use;
          return absl::OkStatus();
        });
        EXPECT_TRUE(s.ok()) << s;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_LE(max_in_use.load(), pool_->config().pool_size);
}

int64_t SelectPlusOne(ConnectionPool& pool, sql::Connection& conn, int64_t value,
                      const sql::PreparedStatement** used) {
  Statement stmt = pool.Prepare(conn, "SELECT ? + 1");
  *used = &*stmt;
  stmt->setInt64(1, value);
  std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
  rows->next();
  return rows->getInt64(1);
}

TEST_F(MysqlTest, PreparedStatementsAreCachedPerConnection) {
  MysqlConfig config = db_->config();
  config.pool_size = 1;
  auto pool = ConnectionPool::Create(config);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const sql::PreparedStatement* first = nullptr;
  const sql::PreparedStatement* second = nullptr;
  const sql::PreparedStatement* later = nullptr;
  ASSERT_TRUE((*pool)
                  ->Run("twice",
                        [&](sql::Connection& conn) {
                          EXPECT_EQ(SelectPlusOne(**pool, conn, 1, &first), 2);
                          EXPECT_EQ(SelectPlusOne(**pool, conn, 41, &second), 42);
                          return absl::OkStatus();
                        })
                  .ok());
  ASSERT_TRUE((*pool)
                  ->Run("again",
                        [&](sql::Connection& conn) {
                          EXPECT_EQ(SelectPlusOne(**pool, conn, 9, &later), 10);
                          return absl::OkStatus();
                        })
                  .ok());
  // One server-side statement, prepared once, reused by every borrower.
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, later);
}

TEST_F(MysqlTest, StatementCacheEvictsTheLeastRecentlyUsedAndCanBeOff) {
  for (int size : {0, 2}) {
    MysqlConfig config = db_->config();
    config.pool_size = 1;
    config.statement_cache_size = size;
    auto pool = ConnectionPool::Create(config);
    ASSERT_TRUE(pool.ok()) << pool.status();
    ASSERT_TRUE((*pool)
                    ->Run("many",
                          [&](sql::Connection& conn) {
                            // More distinct statements than the cache holds,
                            // twice over: evicted ones are prepared anew.
                            for (int round = 0; round < 2; ++round) {
                              for (int k = 1; k <= 3; ++k) {
                                Statement stmt =
                                    (*pool)->Prepare(conn, "SELECT ? * " + std::to_string(k));
                                stmt->setInt(1, 7);
                                std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
                                rows->next();
                                EXPECT_EQ(rows->getInt(1), 7 * k) << "cache size " << size;
                              }
                            }
                            return absl::OkStatus();
                          })
                    .ok());
  }
}

TEST_F(MysqlTest, KilledConnectionTakesItsStatementsAlong) {
  MysqlConfig config = db_->config();
  config.pool_size = 1;
  auto pool = ConnectionPool::Create(config);
  ASSERT_TRUE(pool.ok()) << pool.status();
  int64_t id = 0;
  const sql::PreparedStatement* used = nullptr;
  ASSERT_TRUE((*pool)
                  ->Run("id",
                        [&](sql::Connection& conn) {
                          Statement stmt = (*pool)->Prepare(conn, "SELECT CONNECTION_ID()");
                          std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
                          rows->next();
                          id = rows->getInt64(1);
                          return absl::OkStatus();
                        })
                  .ok());
  ASSERT_TRUE(pool_
                  ->Run("kill",
                        [&](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute("KILL " + std::to_string(id));
                          return absl::OkStatus();
                        })
                  .ok());
  // The cached statement dies with its connection: UNAVAILABLE once...
  absl::Status failed = (*pool)->Run("after kill", [&](sql::Connection& conn) {
    SelectPlusOne(**pool, conn, 1, &used);
    return absl::OkStatus();
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  // ...then a new connection prepares it again.
  int64_t answer = 0;
  ASSERT_TRUE((*pool)
                  ->Run("fresh",
                        [&](sql::Connection& conn) {
                          answer = SelectPlusOne(**pool, conn, 1, &used);
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(answer, 2);
}

TEST(MysqlConfigTest, ValidateNamesTheBadFlag) {
  MysqlConfig config;
  config.database = "x";
  config.user = "u";
  config.port = 0;
  EXPECT_THAT(config.Validate().message(), HasSubstr("--db_port"));
  config.port = 3306;
  config.database = "";
  EXPECT_THAT(config.Validate().message(), HasSubstr("--db_name"));
}

}  // namespace
}  // namespace sslpanel::mysql
