// Sets up the floors of P1 and P2 (floor_server.h): writes the spec the
// floor process serves and starts it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/src/floor_server.h"
#include "common/mysql/mysql.h"
#include "integration-tests/harness.h"

namespace sslpanel::bench {

// The pool size of the workflow services the floors stand beside: the
// service raises --db_pool_size to outbox + poll workers + 4 (8 + 4 + 4).
inline constexpr int kServicePoolSize = 16;

// GetOrder's floor on `db` (the seeded orders): the orders row, its
// certificate rows and its event rows, one point read per table; the
// responses are the real service's at `target` for `ids`.
FloorSpec GetOrderFloor(const mysql::MysqlConfig& db, const std::string& target,
                        const std::vector<int64_t>& ids);

// CreateOrder's floor: one real CreateOrder at `target` (its database
// `service_db`) is the template; the floor writes the same rows into
// `write_db` (migrated, otherwise unused).
FloorSpec CreateOrderFloor(const std::string& target, const mysql::MysqlConfig& service_db,
                           const mysql::MysqlConfig& write_db);

// bench-echo-server serving `spec` besides the echo.
std::unique_ptr<integration::RunningService> StartFloor(const std::string& name,
                                                        const FloorSpec& spec);

}  // namespace sslpanel::bench
