#include "common/mysql/migrator.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"

namespace sslpanel::mysql {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

std::set<int> AppliedVersions(sql::Connection& conn) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery("SELECT version FROM schema_migrations"));
  std::set<int> versions;
  while (rows->next()) {
    versions.insert(rows->getInt(1));
  }
  return versions;
}

bool TableExists(sql::Connection& conn) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(
      stmt->executeQuery("SELECT COUNT(*) FROM information_schema.tables"
                         " WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'"));
  return rows->next() && rows->getInt(1) > 0;
}

// Errors of additive DDL whose effect is already in place: table exists
// (1050), duplicate column (1060), duplicate key name (1061). Migrations only
// add, so re-running one after an interruption finishes it.
bool AlreadyApplied(const sql::SQLException& e) {
  const int code = e.getErrorCode();
  return code == 1050 || code == 1060 || code == 1061;
}

absl::Status ValidateList(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i + 1)) {
      return absl::InternalError(absl::StrCat("migration ", migrations[i].name,
                                              " is out of sequence: expected number ", i + 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> SplitStatements(absl::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) {
      continue;
    }
    absl::StrAppend(&current, line, "\n");
    if (absl::EndsWith(trimmed, ";")) {
      current = std::string(absl::StripAsciiWhitespace(current));
      current.pop_back();  // the ';'
      statements.push_back(std::move(current));
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    statements.emplace_back(absl::StripAsciiWhitespace(current));
  }
  return statements;
}

absl::Status ApplyMigrations(ConnectionPool& pool, const std::vector<Migration>& migrations,
                             std::vector<int>* applied) {
  if (absl::Status valid = ValidateList(migrations); !valid.ok()) {
    return valid;
  }
  return pool.Run("apply migrations", [&](sql::Connection& conn) -> absl::Status {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    {
      std::unique_ptr<sql::ResultSet> lock(
          stmt->executeQuery("SELECT GET_LOCK(CONCAT(DATABASE(), '.migrations'), 120)"));
      if (!lock->next() || lock->getInt(1) != 1) {
        return absl::AbortedError("another migrator holds the migration lock; try again");
      }
    }
    struct Unlock {
      sql::Statement* stmt;
      ~Unlock() {
        try {
          std::unique_ptr<sql::ResultSet>(
              stmt->executeQuery("SELECT RELEASE_LOCK(CONCAT(DATABASE(), '.migrations'))"));
        } catch (const sql::SQLException&) {
        }
      }
    } unlock{stmt.get()};

    stmt->execute(kCreateTable);
    const std::set<int> done = AppliedVersions(conn);
    for (const Migration& migration : migrations) {
      if (done.count(migration.version) > 0) {
        continue;
      }
      log::Info("applying migration", {{"migration", migration.name}});
      // MySQL commits DDL implicitly, so a migration is applied statement by
      // statement and recorded at the end; see AlreadyApplied() for re-runs.
      for (const std::string& statement : SplitStatements(migration.sql)) {
        try {
          stmt->execute(statement);
        } catch (const sql::SQLException& e) {
          if (!AlreadyApplied(e)) {
            return TranslateSqlError(e, absl::StrCat("migration ", migration.name));
          }
          // A run that died after this DDL (it commits implicitly) and
          // before recording the version: the work is there, go on.
          log::Info("migration statement already applied",
                    {{"migration", migration.name}, {"mysql_error", e.getErrorCode()}});
        }
      }
      std::unique_ptr<sql::PreparedStatement> record(
          conn.prepareStatement("INSERT INTO schema_migrations (version, name, applied_at)"
                                " VALUES (?, ?, UTC_TIMESTAMP(6))"));
      record->setInt(1, migration.version);
      record->setString(2, migration.name);
      record->executeUpdate();
      if (applied != nullptr) {
        applied->push_back(migration.version);
      }
    }
    return absl::OkStatus();
  });
}

absl::Status CheckSchemaCurrent(ConnectionPool& pool, const std::vector<Migration>& migrations) {
  return pool.Run("check schema version", [&](sql::Connection& conn) -> absl::Status {
    const std::set<int> done = TableExists(conn) ? AppliedVersions(conn) : std::set<int>{};
    for (const Migration& migration : migrations) {
      if (done.count(migration.version) == 0) {
        return absl::FailedPreconditionError(absl::StrCat(
            "database schema is missing migration ", migration.name, " (has ", done.size(), " of ",
            migrations.size(), "); run this binary's \"migrate\" command first"));
      }
    }
    if (!done.empty() && *done.rbegin() > static_cast<int>(migrations.size())) {
      // Migrations only expand the schema and every statement lists its
      // columns, so a binary keeps working while the schema runs ahead of it
      // (rolling upgrades).
      log::Info("database schema is ahead of this binary",
                {{"schema_version", *done.rbegin()},
                 {"binary_version", static_cast<int64_t>(migrations.size())}});
    }
    return absl::OkStatus();
  });
}

}  // namespace sslpanel::mysql
