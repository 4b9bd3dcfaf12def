#include "bench/src/floor_server.h"

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>

#include <atomic>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc/offload.h"
#include "common/mysql/transaction.h"
#include "sslpanel/workflow/v1/workflow.pb.h"

namespace sslpanel::bench {

using nlohmann::json;

json FloorSpec::ToJson() const {
  json responses = json::object();
  for (const auto& [id, bytes] : get_responses) {
    responses[absl::StrCat(id)] = absl::Base64Escape(bytes);
  }
  json tables = json::array();
  for (const FloorTable& t : writes) {
    tables.push_back({{"table", t.table}, {"columns", t.columns}, {"rows", t.rows}});
  }
  return {{"db",
           {{"host", db.host},
            {"port", db.port},
            {"database", db.database},
            {"user", db.user},
            {"password", db.password},
            {"pool_size", db.pool_size}}},
          {"reads", reads},
          {"get_responses", responses},
          {"writes", tables},
          {"unique_columns", unique_columns},
          {"create_response", absl::Base64Escape(create_response)},
          {"run_inline", run_inline}};
}

absl::StatusOr<FloorSpec> FloorSpec::FromJson(const json& j) {
  FloorSpec spec;
  try {
    const json& db = j.at("db");
    spec.db.host = db.at("host").get<std::string>();
    spec.db.port = db.at("port").get<int>();
    spec.db.database = db.at("database").get<std::string>();
    spec.db.user = db.at("user").get<std::string>();
    spec.db.password = db.at("password").get<std::string>();
    spec.db.pool_size = db.at("pool_size").get<int>();
    spec.reads = j.at("reads").get<std::vector<std::string>>();
    for (const auto& [id, bytes] : j.at("get_responses").items()) {
      int64_t n = 0;
      std::string raw;
      if (!absl::SimpleAtoi(id, &n) || !absl::Base64Unescape(bytes.get<std::string>(), &raw)) {
        return absl::InvalidArgumentError("floor spec: bad get_responses entry");
      }
      spec.get_responses[n] = std::move(raw);
    }
    for (const json& t : j.at("writes")) {
      spec.writes.push_back({t.at("table").get<std::string>(),
                             t.at("columns").get<std::vector<std::string>>(),
                             t.at("rows").get<std::vector<std::vector<json>>>()});
    }
    spec.unique_columns = j.at("unique_columns").get<std::vector<std::string>>();
    spec.run_inline = j.value("run_inline", false);
    if (!absl::Base64Unescape(j.at("create_response").get<std::string>(), &spec.create_response)) {
      return absl::InvalidArgumentError("floor spec: bad create_response");
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("floor spec: ", e.what()));
  }
  return spec;
}

namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& s) {
  return s.ok() ? grpc::Status::OK
                : grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

class FloorService final : public grpc::CallbackGenericService {
 public:
  FloorService(const FloorSpec& spec, std::unique_ptr<mysql::ConnectionPool> pool)
      : spec_(spec), pool_(std::move(pool)), executor_(spec.db.pool_size) {
    for (const auto& [id, bytes] : spec_.get_responses) {
      get_responses_[id] = ToBuffer(bytes);
    }
    if (!spec_.get_responses.empty()) {
      default_get_ = ToBuffer(spec_.get_responses.begin()->second);
    }
    create_response_ = ToBuffer(spec_.create_response);
    for (const FloorTable& t : spec_.writes) {
      std::vector<std::string> tuples(t.rows.size(),
                                      absl::StrCat("(", Marks(t.columns.size()), ")"));
      insert_sql_.push_back(absl::StrCat("INSERT INTO ", t.table, " (",
                                         absl::StrJoin(t.columns, ", "), ") VALUES ",
                                         absl::StrJoin(tuples, ", ")));
    }
  }

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  grpc::Status Handle(const std::string& method, const grpc::ByteBuffer& request,
                      grpc::ByteBuffer* response) {
    if (absl::EndsWith(method, "/GetOrder")) {
      return GetOrder(request, response);
    }
    if (absl::EndsWith(method, "/CreateOrder")) {
      return CreateOrder(response);
    }
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, method);
  }

  grpc_util::BlockingExecutor& executor() { return executor_; }
  bool run_inline() const { return spec_.run_inline; }

 private:
  static std::string Marks(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&out, i == 0 ? "?" : ", ?");
    }
    return out;
  }

  grpc::Status GetOrder(const grpc::ByteBuffer& request, grpc::ByteBuffer* response) {
    workflow::v1::GetOrderRequest parsed;
    int64_t id = 0;
    if (!parsed.ParseFromString(FromBuffer(request)) || !absl::SimpleAtoi(parsed.order_id(), &id)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "order_id");
    }
    absl::Status s = pool_->Run("floor reads", [&](sql::Connection& conn) {
      for (const std::string& sql : spec_.reads) {
        mysql::Statement stmt = pool_->Prepare(conn, sql);
        stmt->setInt64(1, id);
        std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
        while (rows->next()) {
        }
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      return ToGrpcStatus(s);
    }
    auto it = get_responses_.find(id);
    *response = it != get_responses_.end() ? it->second : default_get_;
    return grpc::Status::OK;
  }

  grpc::Status CreateOrder(grpc::ByteBuffer* response) {
    const int64_t n = ++calls_;
    // Keys chosen here: each table's rows get ids of their own, children
    // point at the new order and certificate rows.
    std::map<std::string, int64_t> new_id;  // "table:old id" -> new id
    int64_t new_order = 0;
    for (size_t t = 0; t < spec_.writes.size(); ++t) {
      const FloorTable& table = spec_.writes[t];
      for (size_t r = 0; r < table.rows.size(); ++r) {
        for (size_t c = 0; c < table.columns.size(); ++c) {
          if (table.columns[c] == "id" && table.rows[r][c].is_string()) {
            const int64_t id = n * 64 + static_cast<int64_t>(r);
            new_id[absl::StrCat(table.table, ":", table.rows[r][c].get<std::string>())] = id;
            if (table.table == "orders") {
              new_order = id;
            }
          }
        }
      }
    }
    // WithTransaction sends what a raw transaction would (START TRANSACTION,
    // the inserts, COMMIT): the floor costs no extra round trip for it.
    absl::Status s = mysql::WithTransaction(*pool_, "floor writes", [&](sql::Connection& conn) {
      for (size_t t = 0; t < spec_.writes.size(); ++t) {
        const FloorTable& table = spec_.writes[t];
        mysql::Statement stmt = pool_->Prepare(conn, insert_sql_[t]);
        int index = 1;
        for (const auto& row : table.rows) {
          for (size_t c = 0; c < table.columns.size(); ++c, ++index) {
            const std::string& column = table.columns[c];
            const json& value = row[c];
            if (value.is_null()) {
              stmt->setNull(index, sql::DataType::VARCHAR);
              continue;
            }
            if (value.is_object()) {  // bytes (a BLOB), hex-encoded in the spec
              stmt->setString(index, absl::HexStringToBytes(value.at("hex").get<std::string>()));
              continue;
            }
            const std::string text = value.get<std::string>();
            if (column == "id") {
              stmt->setInt64(index, new_id[absl::StrCat(table.table, ":", text)]);
            } else if (column == "order_id") {
              stmt->setInt64(index, new_order);
            } else if (column == "certificate_id" && new_id.count("certificates:" + text) > 0) {
              stmt->setInt64(index, new_id["certificates:" + text]);
            } else if (std::find(spec_.unique_columns.begin(), spec_.unique_columns.end(),
                                 column) != spec_.unique_columns.end()) {
              stmt->setString(index, absl::StrCat(text, "-f", n));
            } else {
              stmt->setString(index, text);
            }
          }
        }
        stmt->executeUpdate();
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      return ToGrpcStatus(s);
    }
    *response = create_response_;
    return grpc::Status::OK;
  }

  FloorSpec spec_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  grpc_util::BlockingExecutor executor_;
  std::map<int64_t, grpc::ByteBuffer> get_responses_;
  grpc::ByteBuffer default_get_;
  grpc::ByteBuffer create_response_;
  std::vector<std::string> insert_sql_;
  std::atomic<int64_t> calls_{0};
};

// One call: read the request, do the work on the executor, answer.
class FloorCall final : public grpc::ServerGenericBidiReactor {
 public:
  FloorCall(FloorService* service, grpc::GenericCallbackServerContext* ctx)
      : service_(service), method_(ctx->method()) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
      return;
    }
    if (service_->run_inline()) {
      Answer();
      return;
    }
    service_->executor().Submit([this] { Answer(); });
  }
  void OnDone() override { delete this; }

 private:
  void Answer() {
    const grpc::Status status = service_->Handle(method_, request_, &response_);
    if (status.ok()) {
      StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  FloorService* service_;
  std::string method_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

grpc::ServerGenericBidiReactor* FloorService::CreateReactor(
    grpc::GenericCallbackServerContext* ctx) {
  return new FloorCall(this, ctx);
}

}  // namespace

absl::StatusOr<std::unique_ptr<grpc::CallbackGenericService>> NewFloorService(
    const FloorSpec& spec) {
  auto pool = mysql::ConnectionPool::Create(spec.db);
  if (!pool.ok()) {
    return pool.status();
  }
  return std::make_unique<FloorService>(spec, *std::move(pool));
}

}  // namespace sslpanel::bench
