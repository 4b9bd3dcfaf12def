#include "ca-adapter/src/storage/row_helpers.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <nlohmann/json.hpp>

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

}  // namespace sslpanel::ca::storage
