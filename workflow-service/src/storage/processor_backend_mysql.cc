// The processor's tests on MySQL (the integration variant).
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include "absl/strings/str_cat.h"
#include "common/mysql/migrator.h"
#include "common/testing/test_database.h"
#include "workflow-service/src/app/testing/processor_backend.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/mysql_work_queue.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::app::testing {
namespace {

class MysqlBackend final : public ProcessorBackend {
 public:
  absl::Status Open() override {
    auto db = sslpanel::testing::TestDatabase::Create();
    if (!db.ok()) {
      return db.status();
    }
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->config());
    if (!pool.ok()) {
      return pool.status();
    }
    pool_ = *std::move(pool);
    if (absl::Status migrated = mysql::ApplyMigrations(*pool_, WorkflowMigrations());
        !migrated.ok()) {
      return migrated;
    }
    repo_ = std::make_unique<storage::MysqlOrderRepository>(*pool_, "00000000000000a1");
    queue_ = std::make_unique<storage::MysqlWorkQueue>(*pool_);
    return absl::OkStatus();
  }
  OrderRepository& repo() override { return *repo_; }
  WorkQueue& queue() override { return *queue_; }

  int64_t OutboxRows(const std::string& kind, const std::string& status) override {
    std::string where = "1 = 1";
    if (!kind.empty()) {
      absl::StrAppend(&where, " AND kind = '", kind, "'");
    }
    if (!status.empty()) {
      absl::StrAppend(&where, " AND status = '", status, "'");
    }
    return std::stoll(Query(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE ", where)));
  }
  std::string OutboxStatus(const std::string& kind) override {
    return Query(absl::StrCat("SELECT status FROM outbox WHERE kind = '", kind, "' ORDER BY id"));
  }
  std::string OutboxLastError(const std::string& kind) override {
    return Query(
        absl::StrCat("SELECT last_error FROM outbox WHERE kind = '", kind, "' ORDER BY id"));
  }
  int64_t WatchedCertificates() override {
    return std::stoll(Query("SELECT COUNT(*) FROM certificates WHERE next_poll_at IS NOT NULL"));
  }
  int64_t RequestIds() override { return std::stoll(Query("SELECT COUNT(*) FROM request_ids")); }
  int64_t Orders() override { return std::stoll(Query("SELECT COUNT(*) FROM orders")); }

 private:
  // The first row's first column ("NULL" for NULL, "" for no row). The
  // tests pass their own constants, never input.
  std::string Query(const std::string& sql) {
    std::string value;
    absl::Status status = pool_->Run("query", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> stmt(conn.createStatement());
      std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
      if (rows->next()) {
        value = rows->isNull(1) ? "NULL" : std::string(rows->getString(1));
      }
      return absl::OkStatus();
    });
    return status.ok() ? value : "query failed: " + status.ToString();
  }

  std::unique_ptr<sslpanel::testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<storage::MysqlOrderRepository> repo_;
  std::unique_ptr<storage::MysqlWorkQueue> queue_;
};

}  // namespace

std::unique_ptr<ProcessorBackend> NewProcessorBackend() { return std::make_unique<MysqlBackend>(); }

}  // namespace sslpanel::workflow::app::testing
