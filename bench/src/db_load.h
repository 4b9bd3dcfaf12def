// The database limit: raw single-row INSERT+COMMIT and primary-key SELECT
// through the same connector the services use, one connection per thread,
// each statement prepared once, closed loop.
#pragma once

#include "absl/status/statusor.h"
#include "bench/src/load.h"
#include "common/mysql/mysql.h"

namespace sslpanel::bench {

// Creates the tables in `config.database`: bench_insert (empty) and
// bench_select (`select_rows` rows, from the sequence engine).
absl::Status PrepareDbBaseline(const mysql::MysqlConfig& config, int select_rows);

enum class DbOp { kInsertCommit, kPointSelect };

// `options.concurrency` connections run `op` in a closed loop.
absl::StatusOr<LoadReport> RunDbLoad(const mysql::MysqlConfig& config, DbOp op,
                                     const LoadOptions& options, int select_rows);

}  // namespace sslpanel::bench
