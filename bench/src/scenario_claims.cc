// The processing loops' claims on the large table: rows examined per row
// claimed, and the plans of the queries that decide it.
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <functional>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/src/bench.h"
#include "bench/src/scenarios.h"
#include "bench/src/summary.h"
#include "workflow-service/src/storage/mysql_work_queue.h"

namespace sslpanel::bench {

using nlohmann::json;

namespace {

// Handler_read_* of the session, summed: the rows the storage engine read.
int64_t HandlerReads(sql::Connection& conn) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(
      stmt->executeQuery("SHOW SESSION STATUS LIKE 'Handler_read%'"));
  int64_t sum = 0;
  while (rows->next()) {
    sum += rows->getInt64(2);
  }
  return sum;
}

std::string ExplainRows(sql::Connection& conn, const std::string& query) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery("EXPLAIN " + query));
  std::vector<std::string> parts;
  while (rows->next()) {
    parts.push_back(absl::StrCat("table=", std::string(rows->getString("table")),
                                 " type=", std::string(rows->getString("type")),
                                 " key=", std::string(rows->getString("key")),
                                 " rows=", std::string(rows->getString("rows")),
                                 " extra=", std::string(rows->getString("Extra"))));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

void RunClaims(Bench& b, const mysql::MysqlConfig& large_db, int64_t large_orders) {
  Progress("claims: rows examined per row claimed on the large tables");
  mysql::MysqlConfig config = large_db;
  config.pool_size = 1;
  auto pool = Must(mysql::ConnectionPool::Create(config), "claims pool");
  const int64_t due = 200;
  const int64_t waiting = 1000;
  const int64_t base = large_orders / 2;
  json explain;
  int64_t overhead = 0;
  absl::Status prepared = pool->Run("prepare claims", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    // Due work among the million finished rows, and rows that wait (leased
    // or backing off) which a claim must not read.
    stmt->execute(absl::StrCat(
        "UPDATE outbox SET status = 'PENDING', attempts = 0, due_at = UTC_TIMESTAMP(6) -"
        " INTERVAL 1 SECOND WHERE order_id BETWEEN ",
        base + 1, " AND ", base + due));
    stmt->execute(absl::StrCat(
        "UPDATE outbox SET status = 'PENDING', due_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR"
        " WHERE order_id BETWEEN ",
        base + due + 1, " AND ", base + due + waiting));
    stmt->execute(
        absl::StrCat("UPDATE certificates SET next_poll_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
                     " WHERE id BETWEEN ",
                     base + 1, " AND ", base + due));
    stmt->execute(
        absl::StrCat("UPDATE certificates SET next_poll_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR"
                     " WHERE id BETWEEN ",
                     base + due + 1, " AND ", base + due + waiting));
    const std::string now = "UTC_TIMESTAMP(6)";
    explain["claim_outbox"] =
        ExplainRows(conn, "SELECT id FROM outbox WHERE status = 'PENDING' AND due_at <= " + now +
                              " ORDER BY due_at LIMIT 8 FOR UPDATE SKIP LOCKED");
    explain["claim_polls"] =
        ExplainRows(conn, "SELECT id FROM certificates WHERE next_poll_at <= " + now +
                              " ORDER BY next_poll_at LIMIT 8 FOR UPDATE SKIP LOCKED");
    explain["expire"] = ExplainRows(conn,
                                    "SELECT DISTINCT order_id FROM certificates WHERE status ="
                                    " 'ACTIVE' AND not_after <= " +
                                        now + " LIMIT 100");
    const std::string id = absl::StrCat(base + 7);
    // The two GetOrder queries of MysqlOrderRepository::LoadMany (fewer
    // columns, same tables, joins and conditions).
    explain["get_order_chain"] =
        ExplainRows(conn,
                    "SELECT o.id, c.id, c.csr, p.id FROM orders o LEFT JOIN certificates c ON"
                    " c.order_id = o.id LEFT JOIN prevalidation_reports p ON p.id = (SELECT"
                    " MAX(r.id) FROM prevalidation_reports r WHERE r.order_id = o.id)"
                    " WHERE o.id IN (" +
                        id + ")");
    explain["get_order_events"] =
        ExplainRows(conn, "SELECT e.id, e.reason FROM order_events e WHERE e.order_id IN (" + id +
                              ") ORDER BY e.order_id, e.id");
    explain["stuck"] = ExplainRows(conn, "SELECT id FROM orders WHERE sla_deadline <= " + now +
                                             " ORDER BY sla_deadline LIMIT 100");
    // What reading the counters costs by itself.
    const int64_t a = HandlerReads(conn);
    const int64_t c = HandlerReads(conn);
    overhead = c - a;
    return absl::OkStatus();
  });
  if (!prepared.ok()) {
    Fail("prepare claims", prepared);
  }
  workflow::storage::MysqlWorkQueue queue(*pool);
  auto reads_around = [&](const std::function<int64_t()>& work, int64_t* units) {
    int64_t before = 0;
    (void)pool->Run("reads", [&](sql::Connection& conn) {
      before = HandlerReads(conn);
      return absl::OkStatus();
    });
    *units += work();
    int64_t after = 0;
    (void)pool->Run("reads", [&](sql::Connection& conn) {
      after = HandlerReads(conn);
      return absl::OkStatus();
    });
    return after - before - overhead;
  };
  json loops = json::object();
  bool all_met = true;
  std::vector<std::string> parts;
  for (int limit : {1, 8}) {
    int64_t reads = 0, claimed = 0;
    for (int i = 0; i < 10; ++i) {
      reads += reads_around(
          [&] {
            auto items = queue.ClaimOutbox(absl::Now(), limit, absl::Minutes(5), "bench-claims");
            return items.ok() ? static_cast<int64_t>(items->size()) : 0;
          },
          &claimed);
    }
    const double per_row = claimed > 0 ? static_cast<double>(reads) / claimed : -1;
    all_met = all_met && per_row >= 0 && per_row <= 2;
    loops[absl::StrCat("outbox_limit_", limit)] = {
        {"rows_read", reads}, {"rows_claimed", claimed}, {"per_row", per_row}};
    parts.push_back(absl::StrFormat("outbox(limit %d) %.2f", limit, per_row));
    reads = 0, claimed = 0;
    for (int i = 0; i < 10; ++i) {
      reads += reads_around(
          [&] {
            auto items = queue.ClaimPolls(absl::Now(), limit, absl::Minutes(5));
            return items.ok() ? static_cast<int64_t>(items->size()) : 0;
          },
          &claimed);
    }
    const double poll_per_row = claimed > 0 ? static_cast<double>(reads) / claimed : -1;
    all_met = all_met && poll_per_row >= 0 && poll_per_row <= 2;
    loops[absl::StrCat("polls_limit_", limit)] = {
        {"rows_read", reads}, {"rows_claimed", claimed}, {"per_row", poll_per_row}};
    parts.push_back(absl::StrFormat("ca-sync(limit %d) %.2f", limit, poll_per_row));
  }
  // The sweeps find nothing due here; what matters is that they read ~nothing.
  int64_t none = 0;
  const int64_t expire_reads = reads_around(
      [&] {
        (void)queue.OrdersToExpire(absl::Now(), 100);
        return 0;
      },
      &none);
  const int64_t stuck_reads = reads_around(
      [&] {
        (void)queue.StuckCandidates(absl::Now(), 100);
        return 0;
      },
      &none);
  loops["expiry_sweep_rows_read"] = expire_reads;
  loops["sla_sweep_rows_read"] = stuck_reads;
  b.Add(absl::StrFormat(
      "%s G2  processing loops, rows read per row claimed among %d orders (target <= 2): %s; "
      "idle sweeps read %d (expiry) and %d (SLA) rows",
      Mark(all_met), large_orders, absl::StrJoin(parts, ", "), expire_reads, stuck_reads));
  for (const auto& [name, plan] : explain.items()) {
    std::cerr << "EXPLAIN " << name << ": " << plan.get<std::string>() << "\n";
  }
  b.results["claims"] = {
      {"loops", loops},  {"explain", explain},      {"show_status_overhead", overhead},
      {"due_rows", due}, {"waiting_rows", waiting}, {"target_per_row", 2.0}};
}

}  // namespace sslpanel::bench
