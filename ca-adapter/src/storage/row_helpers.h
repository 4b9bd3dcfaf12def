// Reading and writing the column shapes every adapter's order table shares
// (nullable text and times, JSON lists of names and DCV choices), so a new
// adapter's store does not copy them once more.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"

namespace sql {
class PreparedStatement;
class ResultSet;
}  // namespace sql

namespace sslpanel::ca::storage {

// The column's text, "" for NULL.
std::string Text(sql::ResultSet& rows, const char* column);
// The column's DATETIME(6), nullopt for NULL.
std::optional<absl::Time> OptionalTime(sql::ResultSet& rows, const char* column);
// Binds `t` (or NULL) to parameter `index`.
void SetOptionalTime(sql::PreparedStatement& stmt, int index, const std::optional<absl::Time>& t);
// Binds `text` (or NULL when empty) to parameter `index`.
void SetOptionalText(sql::PreparedStatement& stmt, int index, const std::string& text);

// ["a","b"] and back (anything unreadable reads as empty).
std::string NamesJson(const std::vector<std::string>& names);
std::vector<std::string> ParseNamesJson(const std::string& text);

// [{"host_name":..,"method":<int>,"approver_email":..}] and back.
std::string DomainValidationsJson(const std::vector<domain::DomainValidation>& validations);
std::vector<domain::DomainValidation> ParseDomainValidationsJson(const std::string& text);

}  // namespace sslpanel::ca::storage
