// The MySQL repository and work queue against the contract the in-memory
// fakes (app/testing) also pass.
#include "workflow-service/src/app/testing/order_store_contract.h"
#include "common/mysql/migrator.h"
#include "common/testing/test_database.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/mysql_work_queue.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::storage {
namespace {

class MysqlBackend {
 public:
  absl::Status Open() {
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
    repo_ = std::make_unique<MysqlOrderRepository>(*pool_, "00000000000000a1");
    queue_ = std::make_unique<MysqlWorkQueue>(*pool_);
    return absl::OkStatus();
  }
  app::OrderRepository& repo() { return *repo_; }
  app::WorkQueue& queue() { return *queue_; }

 private:
  std::unique_ptr<sslpanel::testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<MysqlOrderRepository> repo_;
  std::unique_ptr<MysqlWorkQueue> queue_;
};

}  // namespace
}  // namespace sslpanel::workflow::storage

namespace sslpanel::workflow::app::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Mysql, OrderStoreContract, storage::MysqlBackend);
}  // namespace sslpanel::workflow::app::testing
