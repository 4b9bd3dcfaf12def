#include "ca-adapter/src/sandbox/sandbox_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/storage/row_helpers.h"

namespace sslpanel::ca::sandbox {
namespace {

using storage::kKindNames;
using storage::Named;
using storage::NameOf;
using storage::OptionalTime;
using storage::SetOptionalText;
using storage::SetOptionalTime;
using storage::Text;
using storage::ValueOf;

using domain::DcvMethod;
using domain::OrderState;
using nlohmann::json;

constexpr char kColumns[] =
    "ca_order_id, idempotency_key, kind, original_ca_order_id, state, raw_status, names_json,"
    " csr_pem, validation_type, period_months, organization_json, dcv_json, outcome,"
    " validity_override_seconds, fixed_not_after, submitted_at, decide_at, refusal_reason,"
    " certificate_pem, chain_pem, serial_number, not_before, not_after, issued_at,"
    " cancel_requested_at, cancel_effective_at, cancel_reason, revoke_requested_at,"
    " revoke_effective_at, revocation_reason, version";

constexpr Named<OrderState> kStates[] = {{OrderState::kPending, "pending"},
                                         {OrderState::kIssued, "issued"},
                                         {OrderState::kRefused, "refused"},
                                         {OrderState::kCancelled, "cancelled"},
                                         {OrderState::kRevoked, "revoked"}};
constexpr Named<ScriptedOutcome> kOutcomes[] = {
    {ScriptedOutcome::kIssue, "issue"},
    {ScriptedOutcome::kRefuse, "refuse"},
    {ScriptedOutcome::kPendingForever, "pending"},
    {ScriptedOutcome::kIssueOnCancel, "issue_on_cancel"}};
constexpr Named<domain::ValidationType> kTypes[] = {{domain::ValidationType::kDv, "DV"},
                                                    {domain::ValidationType::kOv, "OV"},
                                                    {domain::ValidationType::kEv, "EV"}};
constexpr Named<DcvMethod> kMethods[] = {{DcvMethod::kEmail, "email"},
                                         {DcvMethod::kDns, "dns"},
                                         {DcvMethod::kHttp, "http"},
                                         {DcvMethod::kHttps, "https"}};

std::string DcvJson(const std::vector<domain::DcvInstruction>& instructions) {
  json array = json::array();
  for (const domain::DcvInstruction& i : instructions) {
    array.push_back({{"host_name", i.host_name},
                     {"method", NameOf(kMethods, i.method)},
                     {"dns_record_name", i.dns_record_name},
                     {"dns_record_type", i.dns_record_type},
                     {"dns_record_value", i.dns_record_value},
                     {"http_url", i.http_url},
                     {"http_content", i.http_content},
                     {"approver_email", i.approver_email},
                     {"status", i.status}});
  }
  return array.dump();
}

std::vector<domain::DcvInstruction> ParseDcvJson(const std::string& text) {
  std::vector<domain::DcvInstruction> instructions;
  const json array = json::parse(text, nullptr, false);
  if (!array.is_array()) {
    return instructions;
  }
  for (const json& item : array) {
    domain::DcvInstruction i;
    i.host_name = item.value("host_name", "");
    i.method = ValueOf(kMethods, item.value("method", "dns"));
    i.dns_record_name = item.value("dns_record_name", "");
    i.dns_record_type = item.value("dns_record_type", "");
    i.dns_record_value = item.value("dns_record_value", "");
    i.http_url = item.value("http_url", "");
    i.http_content = item.value("http_content", "");
    i.approver_email = item.value("approver_email", "");
    i.status = item.value("status", "");
    instructions.push_back(std::move(i));
  }
  return instructions;
}

std::string OrganizationJson(const domain::Organization& o) {
  return json{{"legal_name", o.legal_name},
              {"registration_number", o.registration_number},
              {"street_address", o.street_address},
              {"postcode", o.postcode},
              {"city", o.city},
              {"country_code", o.country_code},
              {"phone", o.phone}}
      .dump();
}

std::optional<domain::Organization> ParseOrganizationJson(const std::string& text) {
  const json object = json::parse(text, nullptr, false);
  if (!object.is_object()) {
    return std::nullopt;
  }
  domain::Organization o;
  o.legal_name = object.value("legal_name", "");
  o.registration_number = object.value("registration_number", "");
  o.street_address = object.value("street_address", "");
  o.postcode = object.value("postcode", "");
  o.city = object.value("city", "");
  o.country_code = object.value("country_code", "");
  o.phone = object.value("phone", "");
  return o;
}

SandboxOrder ReadOrder(sql::ResultSet& rows) {
  SandboxOrder order;
  order.ca_order_id = Text(rows, "ca_order_id");
  order.idempotency_key = Text(rows, "idempotency_key");
  order.kind = ValueOf(kKindNames<OrderKind>, Text(rows, "kind"));
  order.original_ca_order_id = Text(rows, "original_ca_order_id");
  order.state = ValueOf(kStates, Text(rows, "state"));
  order.raw_status = Text(rows, "raw_status");
  order.names = storage::ParseNamesJson(Text(rows, "names_json"));
  order.csr_pem = Text(rows, "csr_pem");
  order.validation_type = ValueOf(kTypes, Text(rows, "validation_type"));
  order.period_months = rows.getInt("period_months");
  if (!rows.isNull("organization_json")) {
    order.organization = ParseOrganizationJson(Text(rows, "organization_json"));
  }
  order.dcv_instructions = ParseDcvJson(Text(rows, "dcv_json"));
  order.outcome = ValueOf(kOutcomes, Text(rows, "outcome"));
  if (!rows.isNull("validity_override_seconds")) {
    order.validity_override = absl::Seconds(rows.getInt64("validity_override_seconds"));
  }
  order.fixed_not_after = OptionalTime(rows, "fixed_not_after");
  order.submitted_at = mysql::FromSqlTime(Text(rows, "submitted_at"));
  order.decide_at = mysql::FromSqlTime(Text(rows, "decide_at"));
  order.refusal_reason = Text(rows, "refusal_reason");
  order.certificate = storage::ReadIssuedCertificate(rows);
  order.issued_at = OptionalTime(rows, "issued_at");
  order.cancel_requested_at = OptionalTime(rows, "cancel_requested_at");
  order.cancel_effective_at = OptionalTime(rows, "cancel_effective_at");
  order.cancel_reason = Text(rows, "cancel_reason");
  order.revoke_requested_at = OptionalTime(rows, "revoke_requested_at");
  order.revoke_effective_at = OptionalTime(rows, "revoke_effective_at");
  order.revocation_reason = static_cast<domain::RevocationReason>(rows.getInt("revocation_reason"));
  order.version = rows.getInt("version");
  return order;
}

// Binds the mutable columns, in the order the UPDATE lists them; returns the
// next parameter index.
int BindMutable(sql::PreparedStatement& stmt, const SandboxOrder& order, int i) {
  stmt.setString(i++, NameOf(kStates, order.state));
  stmt.setString(i++, order.raw_status);
  stmt.setString(i++, order.refusal_reason);
  i = storage::BindIssuedCertificate(stmt, i, order.certificate);
  SetOptionalTime(stmt, i++, order.issued_at);
  SetOptionalTime(stmt, i++, order.cancel_requested_at);
  SetOptionalTime(stmt, i++, order.cancel_effective_at);
  stmt.setString(i++, order.cancel_reason);
  SetOptionalTime(stmt, i++, order.revoke_requested_at);
  SetOptionalTime(stmt, i++, order.revoke_effective_at);
  stmt.setInt(i++, static_cast<int>(order.revocation_reason));
  // Changed by ChangeDcvMethod and ResendDcvEmail while pending.
  stmt.setString(i++, DcvJson(order.dcv_instructions));
  return i;
}

constexpr char kMutableColumns[] =
    "state, raw_status, refusal_reason, certificate_pem, chain_pem, serial_number, not_before,"
    " not_after, issued_at, cancel_requested_at, cancel_effective_at, cancel_reason,"
    " revoke_requested_at, revoke_effective_at, revocation_reason, dcv_json";
constexpr int kMutableCount = 16;

}  // namespace

absl::Status SandboxOrderStore::Insert(const SandboxOrder& order, absl::Time now) {
  std::string placeholders;
  for (int i = 0; i < 15 + kMutableCount; ++i) {
    absl::StrAppend(&placeholders, i == 0 ? "?" : ", ?");
  }
  return storage::InsertRow(
      pool_, "insert sandbox order",
      absl::StrCat(
          "INSERT INTO sandbox_orders (ca_order_id, idempotency_key, kind, original_ca_order_id,"
          " common_name, names_json, csr_pem, validation_type, period_months, organization_json,"
          " outcome, validity_override_seconds, fixed_not_after, submitted_at,"
          " decide_at, ",
          kMutableColumns, ", version, created_at, updated_at) VALUES (", placeholders,
          ", 1, ?, ?)"),
      now, [&](sql::PreparedStatement& insert) {
        int i = 1;
        insert.setString(i++, order.ca_order_id);
        insert.setString(i++, order.idempotency_key);
        insert.setString(i++, NameOf(kKindNames<OrderKind>, order.kind));
        SetOptionalText(insert, i++, order.original_ca_order_id);
        insert.setString(i++, order.names.empty() ? "" : order.names.front());
        insert.setString(i++, storage::NamesJson(order.names));
        insert.setString(i++, order.csr_pem);
        insert.setString(i++, NameOf(kTypes, order.validation_type));
        insert.setInt(i++, order.period_months);
        if (order.organization.has_value()) {
          insert.setString(i++, OrganizationJson(*order.organization));
        } else {
          insert.setNull(i++, 0);
        }
        insert.setString(i++, NameOf(kOutcomes, order.outcome));
        if (order.validity_override.has_value()) {
          insert.setInt64(i++, absl::ToInt64Seconds(*order.validity_override));
        } else {
          insert.setNull(i++, 0);
        }
        SetOptionalTime(insert, i++, order.fixed_not_after);
        insert.setString(i++, mysql::ToSqlTime(order.submitted_at));
        insert.setString(i++, mysql::ToSqlTime(order.decide_at));
        return BindMutable(insert, order, i);
      });
}

absl::StatusOr<std::optional<SandboxOrder>> SandboxOrderStore::FindBy(const char* column,
                                                                      absl::string_view value) {
  return storage::FindRow(pool_, "read sandbox order", kColumns, "sandbox_orders", column, value,
                          ReadOrder);
}

absl::StatusOr<std::optional<SandboxOrder>> SandboxOrderStore::FindById(
    absl::string_view ca_order_id) {
  return FindBy("ca_order_id", ca_order_id);
}

absl::StatusOr<std::optional<SandboxOrder>> SandboxOrderStore::FindByIdempotencyKey(
    absl::string_view key) {
  return FindBy("idempotency_key", key);
}

absl::StatusOr<bool> SandboxOrderStore::Update(SandboxOrder& order, absl::Time now) {
  static const std::string* assignments = new std::string(storage::Assignments(kMutableColumns));
  return storage::UpdateVersioned(
      pool_, "update sandbox order", "sandbox_orders", *assignments, "ca_order_id",
      order.ca_order_id, &order.version, now,
      [&](sql::PreparedStatement& stmt) { return BindMutable(stmt, order, 1); });
}

}  // namespace sslpanel::ca::sandbox
