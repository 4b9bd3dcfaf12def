// What the scenarios run against: MariaDB's process, fresh databases,
// workflow services for API scenarios, the real order the seeded ones copy,
// and a buffer pool flushed before anything is measured.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "common/mysql/mysql.h"
#include "common/testing/test_database.h"
#include "integration-tests/harness.h"
#include "integration-tests/system.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

// The database a service was started on, from its command line.
std::string DbNameOf(pid_t pid);

// The pid of the MariaDB server of `config`, from its pid file.
pid_t MariadbPid(mysql::MysqlConfig config);

struct Fresh {
  std::unique_ptr<testing::TestDatabase> db;
  mysql::MysqlConfig config;
};

Fresh FreshDatabase();

// A workflow service for API scenarios: its own database, no processing
// loops, so only the measured calls run.
std::unique_ptr<integration::RunningService> StartApiWorkflow(
    const std::string& name, const mysql::MysqlConfig& db,
    const std::string& binary = integration::Binaries::Workflow());

// Creates one DV order through the whole system and returns its database and
// id, as the template of the seeded orders.
std::pair<std::string, int64_t> TemplateOrder(integration::System& system);

// Fails the run unless order `id` at `target` is ACTIVE.
void CheckSeeded(const std::string& target, int64_t id);

// Writes the pages the seeding dirtied to disk before anything is measured:
// otherwise InnoDB flushes gigabytes in the background during G2. Returns
// what it saw.
nlohmann::json FlushDirtyPages(mysql::MysqlConfig config);

}  // namespace sslpanel::bench
