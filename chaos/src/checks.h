// The checks after a scenario, from the workflow API and straight from the
// databases: every acknowledged request took effect exactly once, every
// order ended where its script says, no CA order was created twice, and
// every certificate's history is a legal path of the state machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "chaos/src/client.h"
#include "chaos/src/lifecycles.h"
#include "common/mysql/mysql.h"

namespace sslpanel::chaos {

struct Verdict {
  int64_t lost = 0;                   // acknowledged, no effect in the database
  int64_t duplicated = 0;             // an effect twice (API or CA order)
  int64_t dropped = 0;                // settled against an acknowledged intent
  int64_t illegal = 0;                // certificates whose history is not a legal path
  int64_t unfinished = 0;             // still waiting on something after the settle time
  std::vector<std::string> examples;  // the first few of each, for the report
  void Note(const std::string& text);
};

// Waits until nothing in the workflow database waits any more (no OPEN or
// REQUESTED certificate, no pending operation, no outbox row due), at most
// `timeout`. False when the time ran out.
bool Settle(const mysql::MysqlConfig& workflow_db, absl::Duration timeout);

absl::StatusOr<Verdict> Check(const std::vector<Lifecycle>& lifecycles, Client& client,
                              const mysql::MysqlConfig& workflow_db,
                              const mysql::MysqlConfig& sandbox_db);

// Runs `sql` on `config` and returns every row as strings ("" for NULL).
absl::StatusOr<std::vector<std::vector<std::string>>> Query(const mysql::MysqlConfig& config,
                                                            const std::string& sql);

// DATETIME(6) text as the services write it (UTC), and back.
std::string SqlTime(absl::Time t);
absl::Time ParseSqlTime(const std::string& text);

}  // namespace sslpanel::chaos
