// Versioned schema migrations: numbered SQL files embedded in the binary,
// applied by its "migrate" command (locally and as a Kubernetes Job), recorded
// in schema_migrations. Services check the schema at start and refuse to run
// on an older one.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/mysql/mysql.h"

namespace sslpanel::mysql {

struct Migration {
  int version;
  const char* name;  // file name without .sql, e.g. "0001_orders"
  const char* sql;   // statements separated by ";" at the end of a line
};

// Applies every migration newer than the recorded version, in order, under a
// named lock so two migrators never run at once. Running it again changes
// nothing, and a run interrupted inside a migration can simply be repeated:
// migrations only add tables, columns and keys, and one whose effect is
// already there (table, column or key exists) counts as applied. Returns the
// versions applied through `applied` when not null.
absl::Status ApplyMigrations(ConnectionPool& pool, const std::vector<Migration>& migrations,
                             std::vector<int>* applied = nullptr);

// FAILED_PRECONDITION naming the first missing migration when the database
// is older than `migrations`. A newer schema is accepted: migrations only
// expand it, so an older binary keeps working during a rolling upgrade.
absl::Status CheckSchemaCurrent(ConnectionPool& pool, const std::vector<Migration>& migrations);

// Splits a migration into statements: ";" at the end of a line ends one;
// lines starting with "--" are comments.
std::vector<std::string> SplitStatements(absl::string_view sql);

}  // namespace sslpanel::mysql
