#include "ca-adapter/src/storage/row_helpers.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/mysql/mysql.h"

namespace sslpanel::ca::storage {

using nlohmann::json;

std::string Text(sql::ResultSet& rows, const char* column) {
  return rows.isNull(column) ? std::string() : std::string(rows.getString(column));
}

std::optional<absl::Time> OptionalTime(sql::ResultSet& rows, const char* column) {
  if (rows.isNull(column)) {
    return std::nullopt;
  }
  return mysql::FromSqlTime(Text(rows, column));
}

void SetOptionalTime(sql::PreparedStatement& stmt, int index, const std::optional<absl::Time>& t) {
  if (t.has_value()) {
    stmt.setString(index, mysql::ToSqlTime(*t));
  } else {
    stmt.setNull(index, 0);
  }
}

void SetOptionalText(sql::PreparedStatement& stmt, int index, const std::string& text) {
  if (text.empty()) {
    stmt.setNull(index, 0);
  } else {
    stmt.setString(index, text);
  }
}

std::optional<domain::IssuedCertificate> ReadIssuedCertificate(sql::ResultSet& rows) {
  if (rows.isNull("certificate_pem")) {
    return std::nullopt;
  }
  domain::IssuedCertificate cert;
  cert.certificate_pem = Text(rows, "certificate_pem");
  cert.chain_pem = Text(rows, "chain_pem");
  cert.serial_number = Text(rows, "serial_number");
  cert.not_before = mysql::FromSqlTime(Text(rows, "not_before"));
  cert.not_after = mysql::FromSqlTime(Text(rows, "not_after"));
  return cert;
}

int BindIssuedCertificate(sql::PreparedStatement& stmt, int index,
                          const std::optional<domain::IssuedCertificate>& certificate) {
  if (!certificate.has_value()) {
    for (int k = 0; k < 5; ++k) {
      stmt.setNull(index++, 0);
    }
    return index;
  }
  stmt.setString(index++, certificate->certificate_pem);
  stmt.setString(index++, certificate->chain_pem);
  stmt.setString(index++, certificate->serial_number);
  stmt.setString(index++, mysql::ToSqlTime(certificate->not_before));
  stmt.setString(index++, mysql::ToSqlTime(certificate->not_after));
  return index;
}

std::string NamesJson(const std::vector<std::string>& names) { return json(names).dump(); }

std::vector<std::string> ParseNamesJson(const std::string& text) {
  std::vector<std::string> names;
  const json array = json::parse(text, nullptr, false);
  if (array.is_array()) {
    for (const json& name : array) {
      if (name.is_string()) {
        names.push_back(name.get<std::string>());
      }
    }
  }
  return names;
}

std::string DomainValidationsJson(const std::vector<domain::DomainValidation>& validations) {
  json array = json::array();
  for (const domain::DomainValidation& dv : validations) {
    array.push_back({{"host_name", dv.host_name},
                     {"method", static_cast<int>(dv.method)},
                     {"approver_email", dv.approver_email}});
  }
  return array.dump();
}

std::vector<domain::DomainValidation> ParseDomainValidationsJson(const std::string& text) {
  std::vector<domain::DomainValidation> validations;
  const json array = json::parse(text, nullptr, false);
  if (!array.is_array()) {
    return validations;
  }
  for (const json& item : array) {
    if (!item.is_object()) {
      continue;
    }
    auto text_of = [&item](const char* name) {
      auto it = item.find(name);
      return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto method = item.find("method");
    validations.push_back(
        {text_of("host_name"),
         static_cast<domain::DcvMethod>(
             method != item.end() && method->is_number_integer() ? method->get<int>() : 0),
         text_of("approver_email")});
  }
  return validations;
}

absl::StatusOr<bool> SelectOne(mysql::ConnectionPool& pool, absl::string_view what,
                               const std::string& select, absl::string_view key,
                               const std::function<void(sql::ResultSet&)>& read) {
  bool found = false;
  absl::Status status = pool.Run(what, [&](sql::Connection& conn) {
    mysql::Statement stmt = pool.Prepare(conn, select);
    stmt->setString(1, std::string(key));
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
    if (rows->next()) {
      read(*rows);
      found = true;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return found;
}

absl::StatusOr<bool> UpdateVersioned(mysql::ConnectionPool& pool, absl::string_view what,
                                     absl::string_view table, absl::string_view assignments,
                                     absl::string_view key_column, absl::string_view key,
                                     int* version, absl::Time now,
                                     const std::function<int(sql::PreparedStatement&)>& bind) {
  bool updated = false;
  absl::Status status = pool.Run(what, [&](sql::Connection& conn) {
    mysql::Statement update =
        pool.Prepare(conn, absl::StrCat("UPDATE ", table, " SET ", assignments,
                                        ", version = version + 1, updated_at = ? WHERE ",
                                        key_column, " = ? AND version = ?"));
    int i = bind(*update);
    update->setString(i++, mysql::ToSqlTime(now));
    update->setString(i++, std::string(key));
    update->setInt(i++, *version);
    updated = update->executeUpdate() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (updated) {
    ++*version;
  }
  return updated;
}

absl::Status InsertRow(mysql::ConnectionPool& pool, absl::string_view what,
                       const std::string& insert, absl::Time now,
                       const std::function<int(sql::PreparedStatement&)>& bind) {
  return pool.Run(what, [&](sql::Connection& conn) {
    mysql::Statement stmt = pool.Prepare(conn, insert);
    int i = bind(*stmt);
    stmt->setString(i++, mysql::ToSqlTime(now));
    stmt->setString(i++, mysql::ToSqlTime(now));
    stmt->executeUpdate();
    return absl::OkStatus();
  });
}

std::string Assignments(absl::string_view columns) {
  std::vector<std::string> parts;
  for (absl::string_view column : absl::StrSplit(columns, ',')) {
    parts.push_back(absl::StrCat(absl::StripAsciiWhitespace(column), " = ?"));
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace sslpanel::ca::storage
