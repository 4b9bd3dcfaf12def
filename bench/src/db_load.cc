#include "bench/src/db_load.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"

namespace sslpanel::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::Status PrepareDbBaseline(const mysql::MysqlConfig& config, int select_rows) {
  auto pool = mysql::ConnectionPool::Create(config);
  if (!pool.ok()) {
    return pool.status();
  }
  return (*pool)->Run("prepare baseline tables", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    // As ENVIRONMENT.md 7(b)/(c): a unique key, a 100-byte payload, a time.
    stmt->execute(
        "CREATE TABLE IF NOT EXISTS bench_insert (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
        " k VARCHAR(64) NOT NULL UNIQUE, v VARCHAR(255) NOT NULL,"
        " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB");
    stmt->execute(
        "CREATE TABLE IF NOT EXISTS bench_select (id BIGINT PRIMARY KEY,"
        " k VARCHAR(64) NOT NULL, v VARCHAR(255) NOT NULL,"
        " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB");
    stmt->execute("DELETE FROM bench_select");
    stmt->execute(
        absl::StrCat("INSERT INTO bench_select (id, k, v) SELECT seq, CONCAT('k-', seq),"
                     " REPEAT('v', 100) FROM seq_1_to_",
                     select_rows));
    return absl::OkStatus();
  });
}

absl::StatusOr<LoadReport> RunDbLoad(const mysql::MysqlConfig& config, DbOp op,
                                     const LoadOptions& options, int select_rows) {
  mysql::MysqlConfig pool_config = config;
  pool_config.pool_size = options.concurrency;
  auto pool = mysql::ConnectionPool::Create(pool_config);
  if (!pool.ok()) {
    return pool.status();
  }
  // Every connection is open before the clock starts.
  std::vector<mysql::PooledConnection> connections;
  for (int i = 0; i < options.concurrency; ++i) {
    auto conn = (*pool)->Acquire();
    if (!conn.ok()) {
      return conn.status();
    }
    connections.push_back(*std::move(conn));
  }
  static std::atomic<int64_t> run_counter{0};
  const int64_t run = run_counter++;
  const int64_t begin = NowNs();
  const int64_t measure = begin + absl::ToInt64Nanoseconds(options.warmup);
  const int64_t end = measure + absl::ToInt64Nanoseconds(options.duration);

  struct Tally {
    int64_t completed = 0;
    std::vector<int64_t> latencies;
    std::map<std::string, int64_t> errors;
  };
  std::vector<Tally> tallies(options.concurrency);
  std::vector<std::thread> threads;
  for (int t = 0; t < options.concurrency; ++t) {
    threads.emplace_back([&, t] {
      sql::Connection& conn = *connections[t];
      Tally& tally = tallies[t];
      tally.latencies.reserve(1 << 15);
      std::mt19937_64 random(static_cast<uint64_t>(t) * 7919 + 1);
      try {
        std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(
            op == DbOp::kInsertCommit
                ? "INSERT INTO bench_insert (k, v) VALUES (?, ?)"
                : "SELECT id, k, v, created_at FROM bench_select WHERE id = ?"));
        const std::string payload(100, 'p');
        if (op == DbOp::kInsertCommit) {
          conn.setAutoCommit(false);
        }
        int64_t n = 0;
        while (true) {
          const int64_t start = NowNs();
          if (start >= end) {
            break;
          }
          try {
            if (op == DbOp::kInsertCommit) {
              stmt->setString(1, absl::StrCat("r", run, "-t", t, "-", n++));
              stmt->setString(2, payload);
              stmt->executeUpdate();
              conn.commit();
            } else {
              stmt->setInt64(1, static_cast<int64_t>(random() % select_rows) + 1);
              std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
              while (rows->next()) {
              }
            }
            const int64_t done = NowNs();
            if (start >= measure) {
              tally.latencies.push_back(done - start);
            }
            if (done >= measure && done < end) {
              ++tally.completed;
            }
          } catch (const sql::SQLException& e) {
            if (start >= measure) {
              ++tally.errors[absl::StrCat("MYSQL_", e.getErrorCode())];
            }
            if (op == DbOp::kInsertCommit) {
              conn.rollback();
            }
          }
        }
        if (op == DbOp::kInsertCommit) {
          conn.setAutoCommit(true);
        }
      } catch (const sql::SQLException& e) {
        ++tally.errors[absl::StrCat("MYSQL_", e.getErrorCode())];
      }
    });
  }
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::nanoseconds(measure - NowNs()));
    if (options.at_measure_start) {
      options.at_measure_start();
    }
    std::this_thread::sleep_for(std::chrono::nanoseconds(end - NowNs()));
    if (options.at_measure_end) {
      options.at_measure_end();
    }
  });
  for (std::thread& thread : threads) {
    thread.join();
  }
  timer.join();

  LoadReport report;
  report.name = options.name;
  report.mode = "closed";
  report.concurrency = options.concurrency;
  report.seconds = absl::ToDoubleSeconds(options.duration);
  std::vector<int64_t> latencies;
  for (Tally& tally : tallies) {
    report.completed += tally.completed;
    latencies.insert(latencies.end(), tally.latencies.begin(), tally.latencies.end());
    for (const auto& [code, count] : tally.errors) {
      report.errors[code] += count;
    }
  }
  report.ok = report.completed;
  report.qps = static_cast<double>(report.ok) / report.seconds;
  report.latency = Summarize(std::move(latencies));
  return report;
}

}  // namespace sslpanel::bench
