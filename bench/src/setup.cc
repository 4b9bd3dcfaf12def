#include "bench/src/setup.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <fstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/src/bench.h"
#include "bench/src/rounds.h"
#include "integration-tests/client.h"

namespace sslpanel::bench {

namespace wf = ::sslpanel::workflow::v1;

std::string DbNameOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string arg;
  while (std::getline(in, arg, '\0')) {
    if (arg.rfind("--db_name=", 0) == 0) {
      return arg.substr(10);
    }
  }
  return "";
}

pid_t MariadbPid(mysql::MysqlConfig config) {
  config.database = "information_schema";
  auto pool = Must(mysql::ConnectionPool::Create(config), "connect to MariaDB");
  std::string pid_file;
  (void)pool->Run("pid file", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery("SELECT @@pid_file"));
    rows->next();
    pid_file = rows->getString(1);
    return absl::OkStatus();
  });
  std::ifstream in(pid_file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

Fresh FreshDatabase() {
  Fresh fresh;
  fresh.db = Must(testing::TestDatabase::Create(), "create a database");
  fresh.config = fresh.db->config();
  fresh.config.pool_size = 2;
  return fresh;
}

std::unique_ptr<integration::RunningService> StartApiWorkflow(const std::string& name,
                                                              const mysql::MysqlConfig& db,
                                                              const std::string& binary) {
  if (absl::Status s = integration::Migrate(binary, db); !s.ok()) {
    Fail("migrate " + name, s);
  }
  integration::DbArgs args = integration::DbArgsFor(db);
  std::vector<std::string> flags = args.flags;
  flags.push_back(std::string("--products_file=") + SSLPANEL_SOURCE_DIR +
                  "/integration-tests/testdata/products.json");
  flags.push_back("--processing=false");
  return Must(integration::RunningService::Start(name, binary, flags,
                                                 "sslpanel.workflow.v1.WorkflowService", args.env),
              "start " + name);
}

std::pair<std::string, int64_t> TemplateOrder(integration::System& system) {
  auto created = Must(integration::Create(system.workflow(),
                                          integration::DvOrder("template", "www.template.example")),
                      "create the template order");
  Must(system.WaitFor(
           created.order_id(),
           [](const wf::Order& o) {
             return integration::CertificateIs(o, 0, wf::CERTIFICATE_STATUS_ACTIVE);
           },
           "ACTIVE"),
       "template order to ACTIVE");
  int64_t id = 0;
  (void)absl::SimpleAtoi(created.order_id(), &id);
  return {DbNameOf(system.workflow_process().process().pid()), id};
}

void CheckSeeded(const std::string& target, int64_t id) {
  auto stub = wf::WorkflowService::NewStub(ChannelTo(target));
  auto order = Must(integration::Get(*stub, absl::StrCat(id)), "GetOrder on a seeded order");
  if (!integration::CertificateIs(order, 0, wf::CERTIFICATE_STATUS_ACTIVE)) {
    Fail("seeded order", absl::InternalError(order.ShortDebugString()));
  }
}

nlohmann::json FlushDirtyPages(mysql::MysqlConfig config) {
  config.database = "information_schema";
  auto pool = Must(mysql::ConnectionPool::Create(config), "flush pool");
  auto dirty = [&] {
    int64_t pages = -1;
    (void)pool->Run("dirty pages", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> stmt(conn.createStatement());
      std::unique_ptr<sql::ResultSet> rows(
          stmt->executeQuery("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'"));
      if (rows->next()) {
        pages = rows->getInt64(2);
      }
      return absl::OkStatus();
    });
    return pages;
  };
  auto set_pct = [&](const std::string& value) {
    return pool->Run("dirty pct", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> stmt(conn.createStatement());
      stmt->execute("SET GLOBAL innodb_max_dirty_pages_pct = " + value);
      return absl::OkStatus();
    });
  };
  std::string previous = "90";
  (void)pool->Run("dirty pct", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(
        stmt->executeQuery("SELECT @@GLOBAL.innodb_max_dirty_pages_pct"));
    if (rows->next()) {
      previous = rows->getString(1);
    }
    return absl::OkStatus();
  });
  const int64_t before = dirty();
  const absl::Time start = absl::Now();
  const absl::Status lowered = set_pct("0");
  int64_t now = before;
  while (lowered.ok() && now > 1000 && absl::Now() - start < absl::Seconds(60)) {
    absl::SleepFor(absl::Milliseconds(500));
    now = dirty();
  }
  (void)set_pct(previous);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  Progress(absl::StrFormat("flushed dirty pages: %d -> %d in %.1f s%s", before, now, seconds,
                           lowered.ok() ? "" : " (cannot set innodb_max_dirty_pages_pct)"));
  return {{"dirty_pages_before", before}, {"dirty_pages_after", now}, {"seconds", seconds}};
}

}  // namespace sslpanel::bench
