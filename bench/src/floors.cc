#include "bench/src/floors.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <mysql_connection.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/src/bench.h"
#include "bench/src/requests.h"
#include "bench/src/rounds.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"

namespace sslpanel::bench {
namespace {

namespace wf = ::sslpanel::workflow::v1;

mysql::MysqlConfig WithServicePool(mysql::MysqlConfig db) {
  db.pool_size = kServicePoolSize;
  return db;
}

// The rows of `table` where `key` = `value`, every column as text or null.
FloorTable ReadRows(mysql::ConnectionPool& pool, const std::string& table, const std::string& key,
                    int64_t value) {
  FloorTable out;
  out.table = table;
  absl::Status s = pool.Run("read template rows", [&](sql::Connection& conn) {
    std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(
        absl::StrCat("SELECT * FROM ", table, " WHERE ", key, " = ? ORDER BY 1")));
    stmt->setInt64(1, value);
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
    sql::ResultSetMetaData* meta = rows->getMetaData();
    const int n = static_cast<int>(meta->getColumnCount());
    for (int c = 1; c <= n; ++c) {
      out.columns.push_back(meta->getColumnName(c));
    }
    while (rows->next()) {
      std::vector<nlohmann::json> row;
      for (int c = 1; c <= n; ++c) {
        row.push_back(rows->isNull(c) ? nlohmann::json(nullptr)
                                      : nlohmann::json(std::string(rows->getString(c))));
      }
      out.rows.push_back(std::move(row));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    Fail("read template rows of " + table, s);
  }
  return out;
}

}  // namespace

FloorSpec GetOrderFloor(const mysql::MysqlConfig& db, const std::string& target,
                        const std::vector<int64_t>& ids) {
  FloorSpec spec;
  spec.db = WithServicePool(db);
  spec.reads = {"SELECT * FROM orders WHERE id = ?",
                "SELECT * FROM certificates WHERE order_id = ?",
                "SELECT * FROM order_events WHERE order_id = ?"};
  auto stub = wf::WorkflowService::NewStub(ChannelTo(target));
  for (int64_t id : ids) {
    if (spec.get_responses.count(id) > 0) {
      continue;
    }
    wf::GetOrderRequest request;
    request.set_order_id(absl::StrCat(id));
    wf::GetOrderResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::Status status = stub->GetOrder(&context, request, &response);
    if (!status.ok()) {
      Fail("GetOrder for the floor", absl::InternalError(status.error_message()));
    }
    spec.get_responses[id] = response.SerializeAsString();
  }
  return spec;
}

FloorSpec CreateOrderFloor(const std::string& target, const mysql::MysqlConfig& service_db,
                           const mysql::MysqlConfig& write_db) {
  FloorSpec spec;
  spec.db = WithServicePool(write_db);
  const CreateOrderRequests make(absl::StrCat("floor-template-", getpid()));
  wf::CreateOrderRequest request;
  if (!Parse(make(0), &request)) {
    Fail("floor template request", absl::InternalError("unparsable"));
  }
  auto stub = wf::WorkflowService::NewStub(ChannelTo(target));
  wf::CreateOrderResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = stub->CreateOrder(&context, request, &response);
  if (!status.ok()) {
    Fail("CreateOrder for the floor", absl::InternalError(status.error_message()));
  }
  spec.create_response = response.SerializeAsString();
  int64_t order_id = 0;
  (void)absl::SimpleAtoi(response.order().order_id(), &order_id);
  auto pool = Must(mysql::ConnectionPool::Create(service_db), "template pool");
  spec.writes.push_back(ReadRows(*pool, "orders", "id", order_id));
  for (const char* table :
       {"certificates", "order_events", "outbox", "prevalidation_reports", "request_ids"}) {
    FloorTable rows = ReadRows(*pool, table, "order_id", order_id);
    if (!rows.rows.empty()) {
      spec.writes.push_back(std::move(rows));
    }
  }
  spec.unique_columns = {"external_order_id", "request_id", "idempotency_key"};
  return spec;
}

std::unique_ptr<integration::RunningService> StartFloor(const std::string& name,
                                                        const FloorSpec& spec) {
  const std::string path = absl::StrCat("/tmp/sslpanel-bench-", getpid(), "-", name, ".json");
  {
    std::ofstream out(path);
    out << spec.ToJson().dump();
  }
  return Must(
      integration::RunningService::Start(name, SSLPANEL_BENCH_ECHO_BIN, {"--floor_spec=" + path},
                                         "sslpanel.bench.v1.EchoService"),
      "start " + name);
}

}  // namespace sslpanel::bench
