// The scenarios of issue 9. Each runs its rounds interleaved with its
// baseline's, prints its lines through Bench::Add and fills its part of
// Bench::results. scenario_reads.cc: P1 and G2; scenario_claims.cc: the
// processing loops' claims; scenario_writes.cc: P2 and P3.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "bench/src/bench.h"
#include "common/mysql/mysql.h"

namespace sslpanel::bench {

// P1: GetOrder@64 vs echo@64 (and a raw PK SELECT for reference), RSS.
void RunP1(Bench& b, const std::string& small_target, pid_t small_pid,
           const mysql::MysqlConfig& small_db, const mysql::MysqlConfig& raw_db, int select_rows,
           int64_t small_orders);

// G2: GetOrder p99 with the small table vs the large one, open loop.
void RunG2(Bench& b, const std::string& small_target, pid_t small_pid, int64_t small_orders,
           const std::string& large_target, pid_t large_pid, int64_t large_orders);

// The processing loops' claims on the large table: rows the engine read per
// row claimed, from the session's Handler_read_* counters around each claim
// made by the real MysqlWorkQueue code on a one-connection pool.
void RunClaims(Bench& b, const mysql::MysqlConfig& large_db, int64_t large_orders);

// P2 (CreateOrder@16 vs raw INSERT+COMMIT@16) and P3 (lifecycles per second
// vs P2), interleaved, then an open-loop run at half P2's rate that must keep
// the backlog flat.
void RunP2P3(Bench& b, const mysql::MysqlConfig& raw_db);

}  // namespace sslpanel::bench
