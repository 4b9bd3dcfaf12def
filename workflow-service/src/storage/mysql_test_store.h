// A fresh, migrated test database with the MySQL repository and work queue
// on it, for the tests that run the app's contracts on MySQL (test code).
#pragma once

#include <memory>

#include "common/mysql/mysql.h"
#include "common/testing/test_database.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/mysql_work_queue.h"

namespace sslpanel::workflow::storage {

class MysqlTestStore {
 public:
  // Creates the database and applies the workflow's migrations.
  absl::Status Open();
  app::OrderRepository& repo() { return *repo_; }
  app::WorkQueue& queue() { return *queue_; }
  mysql::ConnectionPool& pool() { return *pool_; }

 private:
  std::unique_ptr<sslpanel::testing::TestDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<MysqlOrderRepository> repo_;
  std::unique_ptr<MysqlWorkQueue> queue_;
};

}  // namespace sslpanel::workflow::storage
