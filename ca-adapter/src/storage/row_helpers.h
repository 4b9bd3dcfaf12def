// Reading and writing the column shapes every adapter's order table shares
// (nullable text and times, enum names, JSON lists of names and DCV
// choices) and the statements every adapter's store runs on its order row
// (find by a key, optimistic update), so a new adapter's store does not copy
// them once more. Statements go through the pool's statement cache.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"

namespace sql {
class PreparedStatement;
class ResultSet;
}  // namespace sql

namespace sslpanel::mysql {
class ConnectionPool;
}  // namespace sslpanel::mysql

namespace sslpanel::ca::storage {

// The column's text, "" for NULL.
std::string Text(sql::ResultSet& rows, const char* column);
// The column's DATETIME(6), nullopt for NULL.
std::optional<absl::Time> OptionalTime(sql::ResultSet& rows, const char* column);
// Binds `t` (or NULL) to parameter `index`.
void SetOptionalTime(sql::PreparedStatement& stmt, int index, const std::optional<absl::Time>& t);
// Binds `text` (or NULL when empty) to parameter `index`.
void SetOptionalText(sql::PreparedStatement& stmt, int index, const std::string& text);

// The certificate_pem, chain_pem, serial_number, not_before and not_after
// columns: nullopt when certificate_pem is NULL.
std::optional<domain::IssuedCertificate> ReadIssuedCertificate(sql::ResultSet& rows);
// Binds those five columns (NULL without a certificate) from `index`;
// returns the next index.
int BindIssuedCertificate(sql::PreparedStatement& stmt, int index,
                          const std::optional<domain::IssuedCertificate>& certificate);

// ["a","b"] and back (anything unreadable reads as empty).
std::string NamesJson(const std::vector<std::string>& names);
std::vector<std::string> ParseNamesJson(const std::string& text);

// [{"host_name":..,"method":<int>,"approver_email":..}] and back.
std::string DomainValidationsJson(const std::vector<domain::DomainValidation>& validations);
std::vector<domain::DomainValidation> ParseDomainValidationsJson(const std::string& text);

// An enum's names in a table column: NameOf(kTable, value) and back
// (unknown text reads as the table's first value).
template <typename E>
struct Named {
  E value;
  const char* name;
};

template <typename E, size_t N>
const char* NameOf(const Named<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  return table[0].name;
}

template <typename E, size_t N>
E ValueOf(const Named<E> (&table)[N], const std::string& name) {
  for (const auto& entry : table) {
    if (name == entry.name) {
      return entry.value;
    }
  }
  return table[0].value;
}

// The `kind` column of every adapter's order table, for each adapter's own
// OrderKind {kInitial, kReissue, kRenewal}.
template <typename Kind>
inline constexpr Named<Kind> kKindNames[] = {
    {Kind::kInitial, "initial"}, {Kind::kReissue, "reissue"}, {Kind::kRenewal, "renewal"}};

// Reads the row `select` finds (one ? parameter, bound to `key`) with
// `read`; false when there is none. Through the pool's statement cache.
absl::StatusOr<bool> SelectOne(mysql::ConnectionPool& pool, absl::string_view what,
                               const std::string& select, absl::string_view key,
                               const std::function<void(sql::ResultSet&)>& read);

// The order row of `table` whose `column` is `value` (all `columns`), read
// by `read`; nullopt when there is none.
template <typename Row>
absl::StatusOr<std::optional<Row>> FindRow(mysql::ConnectionPool& pool, absl::string_view what,
                                           absl::string_view columns, absl::string_view table,
                                           absl::string_view column, absl::string_view value,
                                           Row (*read)(sql::ResultSet&)) {
  std::optional<Row> row;
  absl::StatusOr<bool> found = SelectOne(
      pool, what, absl::StrCat("SELECT ", columns, " FROM ", table, " WHERE ", column, " = ?"),
      value, [&](sql::ResultSet& rows) { row = read(rows); });
  if (!found.ok()) {
    return found.status();
  }
  return row;
}

// The optimistic update every adapter's order row takes:
//   UPDATE <table> SET <assignments>, version = version + 1, updated_at = ?
//   WHERE <key_column> = ? AND version = ?
// `bind` binds the assignments from parameter 1 and returns the next index.
// False when the row is no longer at *version (changed meanwhile); on
// success *version is the row's new version.
absl::StatusOr<bool> UpdateVersioned(mysql::ConnectionPool& pool, absl::string_view what,
                                     absl::string_view table, absl::string_view assignments,
                                     absl::string_view key_column, absl::string_view key,
                                     int* version, absl::Time now,
                                     const std::function<int(sql::PreparedStatement&)>& bind);

// Inserts an order row: `bind` binds the parameters of `insert` from 1 and
// returns the next index; the last two are created_at and updated_at, both
// `now`.
absl::Status InsertRow(mysql::ConnectionPool& pool, absl::string_view what,
                       const std::string& insert, absl::Time now,
                       const std::function<int(sql::PreparedStatement&)>& bind);

// "a = ?, b = ?" for the columns "a, b".
std::string Assignments(absl::string_view columns);

}  // namespace sslpanel::ca::storage
