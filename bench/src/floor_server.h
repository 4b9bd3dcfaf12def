// The floors of issue 17: the least work a GetOrder or a CreateOrder can be,
// served by bench-echo-server --floor_spec as a process of its own. A bare
// callback-API call (any method name, raw bytes in and out, no protobuf
// building) plus exactly the database work the call needs, done raw through
// the same ConnectionPool (and statement cache) the services use, on a
// bounded executor sized to the pool:
//   * GetOrder: one point read per table the response is built from (by
//     primary key or its index), then the real response's bytes, captured
//     once from the real service;
//   * CreateOrder: the rows the real CreateOrder wrote, written raw in one
//     transaction (one multi-row INSERT per table), keys chosen here, then
//     the real response's bytes.
// What to run comes from a JSON spec the benchmark writes (FloorSpec).
#pragma once

#include <grpcpp/generic/async_generic_service.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/mysql.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

// One table's template rows for the CreateOrder floor: column names and the
// values (null or text) the real call wrote.
struct FloorTable {
  std::string table;
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};

struct FloorSpec {
  mysql::MysqlConfig db;
  // Point reads of the GetOrder floor, each with the order id as its only
  // parameter, and the real response per order id (serialised bytes).
  std::vector<std::string> reads;
  std::map<int64_t, std::string> get_responses;
  // The CreateOrder floor: rows to write (keys replaced: "id" by a fresh
  // one per table, "order_id"/"certificate_id" by the new row's, and the
  // unique text columns in `unique_columns` made unique per call).
  std::vector<FloorTable> writes;
  std::vector<std::string> unique_columns;
  std::string create_response;
  // Run the database work on gRPC's callback thread itself instead of the
  // executor (an arrangement to compare; blocking gRPC's threads).
  bool run_inline = false;

  nlohmann::json ToJson() const;
  static absl::StatusOr<FloorSpec> FromJson(const nlohmann::json& j);
};

// The generic service answering GetOrder and CreateOrder (by the method's
// last path component) as above; other methods: UNIMPLEMENTED.
absl::StatusOr<std::unique_ptr<grpc::CallbackGenericService>> NewFloorService(
    const FloorSpec& spec);

}  // namespace sslpanel::bench
