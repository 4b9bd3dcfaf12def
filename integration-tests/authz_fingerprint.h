// What the databases hold, as one comparable string per database: a
// checksum of every row of the tables a call could change (all columns, so
// a status or updated_at change shows, not only a new row).
#pragma once

#include <string>
#include <vector>

#include "common/mysql/mysql.h"

namespace sslpanel::integration {

// "table=checksum ..." of CHECKSUM TABLE over `tables`.
std::string TableChecksums(const mysql::MysqlConfig& config,
                           const std::vector<std::string>& tables);

// The workflow's orders, certificates, events, prevalidation reports,
// request ids and outbox.
std::string WorkflowFingerprint(const mysql::MysqlConfig& config);

// The CA adapter's idempotency records and sandbox orders.
std::string SandboxFingerprint(const mysql::MysqlConfig& config);

}  // namespace sslpanel::integration
