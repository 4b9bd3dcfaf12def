#include "workflow-service/src/storage/mysql_test_store.h"

#include "common/mysql/migrator.h"

const std::vector<sslpanel::mysql::Migration>& WorkflowMigrations();

namespace sslpanel::workflow::storage {

absl::Status MysqlTestStore::Open() {
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

}  // namespace sslpanel::workflow::storage
