// The processor's tests on MySQL (the integration variant).
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include "absl/strings/str_cat.h"
#include "workflow-service/src/app/testing/processor_backend.h"
#include "workflow-service/src/storage/mysql_test_store.h"

namespace sslpanel::workflow::app::testing {
namespace {

class MysqlBackend final : public ProcessorBackend {
 public:
  absl::Status Open() override { return store_.Open(); }
  OrderRepository& repo() override { return store_.repo(); }
  WorkQueue& queue() override { return store_.queue(); }

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
    absl::Status status = store_.pool().Run("query", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> stmt(conn.createStatement());
      std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
      if (rows->next()) {
        value = rows->isNull(1) ? "NULL" : std::string(rows->getString(1));
      }
      return absl::OkStatus();
    });
    return status.ok() ? value : "query failed: " + status.ToString();
  }

  storage::MysqlTestStore store_;
};

}  // namespace

std::unique_ptr<ProcessorBackend> NewProcessorBackend() { return std::make_unique<MysqlBackend>(); }

}  // namespace sslpanel::workflow::app::testing
