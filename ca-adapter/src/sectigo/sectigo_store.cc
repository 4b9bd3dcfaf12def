#include "ca-adapter/src/sectigo/sectigo_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ca-adapter/src/storage/row_helpers.h"
#include "common/log/log.h"

namespace sslpanel::ca::sectigo {
namespace {

using nlohmann::json;
using storage::kKindNames;
using storage::Named;
using storage::NameOf;
using storage::OptionalTime;
using storage::SetOptionalText;
using storage::SetOptionalTime;
using storage::Text;
using storage::ValueOf;

constexpr char kColumns[] =
    "idempotency_key, kind, original_ca_order_id, unique_value, foreign_order_number,"
    " common_name, names_json, csr_pem, dcv_json, product_code, request_json, send_state, sends,"
    " first_sent_at, last_sent_at, sending_until, ca_order_id, order_number, certificate_id, "
    "state, raw_status,"
    " refusal_reason, last_polled_at, cancel_requested_at, revoke_requested_at, certificate_pem,"
    " chain_pem, serial_number, not_before, not_after, resolution, resolved_by, resolve_reason,"
    " resolved_at, version";

// The columns a call may change, in BindMutable's order.
constexpr char kMutableColumns[] =
    " dcv_json, request_json, send_state, sends, first_sent_at, last_sent_at, sending_until,"
    " ca_order_id, "
    "order_number,"
    " certificate_id, state, raw_status, refusal_reason, last_polled_at, cancel_requested_at,"
    " revoke_requested_at, certificate_pem, chain_pem, serial_number, not_before, not_after,"
    " resolution, resolved_by, resolve_reason, resolved_at";
constexpr char kMutablePlaceholders[] =
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
constexpr char kMutableAssignments[] =
    "dcv_json = ?, request_json = ?, send_state = ?, sends = ?, first_sent_at = ?, last_sent_at = "
    "?, sending_until = ?,"
    " ca_order_id = ?, order_number = ?, certificate_id = ?, state = ?, raw_status = ?,"
    " refusal_reason = ?, last_polled_at = ?, cancel_requested_at = ?, revoke_requested_at = ?,"
    " certificate_pem = ?, chain_pem = ?, serial_number = ?, not_before = ?, not_after = ?,"
    " resolution = ?, resolved_by = ?, resolve_reason = ?, resolved_at = ?";

constexpr Named<SendState> kSendStates[] = {{SendState::kNotSent, "not_sent"},
                                            {SendState::kSending, "sending"},
                                            {SendState::kCreated, "created"},
                                            {SendState::kRefused, "refused"}};
constexpr Named<domain::OrderState> kStates[] = {{domain::OrderState::kPending, "pending"},
                                                 {domain::OrderState::kIssued, "issued"},
                                                 {domain::OrderState::kRefused, "refused"},
                                                 {domain::OrderState::kCancelled, "cancelled"},
                                                 {domain::OrderState::kRevoked, "revoked"}};

std::string FormJson(const Form& form) {
  json array = json::array();
  for (const auto& [key, value] : form) {
    array.push_back(json::array({key, value}));
  }
  return array.dump();
}

Form ParseFormJson(const std::string& text) {
  Form form;
  const json array = json::parse(text, nullptr, false);
  if (array.is_array()) {
    for (const json& pair : array) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        form.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  return form;
}

SectigoOrder ReadOrder(sql::ResultSet& rows) {
  SectigoOrder order;
  order.idempotency_key = Text(rows, "idempotency_key");
  order.kind = ValueOf(kKindNames<OrderKind>, Text(rows, "kind"));
  order.original_ca_order_id = Text(rows, "original_ca_order_id");
  order.unique_value = Text(rows, "unique_value");
  order.foreign_order_number = Text(rows, "foreign_order_number");
  order.common_name = Text(rows, "common_name");
  order.names = storage::ParseNamesJson(Text(rows, "names_json"));
  order.csr_pem = Text(rows, "csr_pem");
  order.domain_validations = storage::ParseDomainValidationsJson(Text(rows, "dcv_json"));
  order.product_code = Text(rows, "product_code");
  order.request = ParseFormJson(Text(rows, "request_json"));
  order.send_state = ValueOf(kSendStates, Text(rows, "send_state"));
  order.sends = rows.getInt("sends");
  order.first_sent_at = OptionalTime(rows, "first_sent_at");
  order.last_sent_at = OptionalTime(rows, "last_sent_at");
  order.sending_until = OptionalTime(rows, "sending_until");
  order.ca_order_id = Text(rows, "ca_order_id");
  order.order_number = Text(rows, "order_number");
  order.certificate_id = Text(rows, "certificate_id");
  order.state = ValueOf(kStates, Text(rows, "state"));
  order.raw_status = Text(rows, "raw_status");
  order.refusal_reason = Text(rows, "refusal_reason");
  order.last_polled_at = OptionalTime(rows, "last_polled_at");
  order.cancel_requested_at = OptionalTime(rows, "cancel_requested_at");
  order.revoke_requested_at = OptionalTime(rows, "revoke_requested_at");
  order.certificate = storage::ReadIssuedCertificate(rows);
  order.resolution = Text(rows, "resolution");
  order.resolved_by = Text(rows, "resolved_by");
  order.resolve_reason = Text(rows, "resolve_reason");
  order.resolved_at = OptionalTime(rows, "resolved_at");
  order.version = rows.getInt("version");
  return order;
}

int BindMutable(sql::PreparedStatement& stmt, const SectigoOrder& order, int i) {
  stmt.setString(i++, storage::DomainValidationsJson(order.domain_validations));
  stmt.setString(i++, FormJson(order.request));
  stmt.setString(i++, NameOf(kSendStates, order.send_state));
  stmt.setInt(i++, order.sends);
  SetOptionalTime(stmt, i++, order.first_sent_at);
  SetOptionalTime(stmt, i++, order.last_sent_at);
  SetOptionalTime(stmt, i++, order.sending_until);
  SetOptionalText(stmt, i++, order.ca_order_id);
  SetOptionalText(stmt, i++, order.order_number);
  SetOptionalText(stmt, i++, order.certificate_id);
  stmt.setString(i++, NameOf(kStates, order.state));
  stmt.setString(i++, order.raw_status.substr(0, 255));
  stmt.setString(i++, order.refusal_reason.substr(0, 1024));
  SetOptionalTime(stmt, i++, order.last_polled_at);
  SetOptionalTime(stmt, i++, order.cancel_requested_at);
  SetOptionalTime(stmt, i++, order.revoke_requested_at);
  i = storage::BindIssuedCertificate(stmt, i, order.certificate);
  SetOptionalText(stmt, i++, order.resolution);
  SetOptionalText(stmt, i++, order.resolved_by.substr(0, 255));
  SetOptionalText(stmt, i++, order.resolve_reason.substr(0, 1024));
  SetOptionalTime(stmt, i++, order.resolved_at);
  return i;
}

// A stable lock name per account and slot (MySQL allows 64 characters).
std::string LockName(absl::string_view login_name, int slot) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : login_name) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  return absl::StrFormat("sslpanel-sectigo-poll-%016x-%d", hash, slot);
}

}  // namespace

PollSlot::PollSlot(mysql::PooledConnection conn, std::string lock_name)
    : conn_(std::move(conn)), lock_name_(std::move(lock_name)) {}

PollSlot::~PollSlot() {
  try {
    std::unique_ptr<sql::PreparedStatement> release(
        conn_->prepareStatement("SELECT RELEASE_LOCK(?)"));
    release->setString(1, lock_name_);
    std::unique_ptr<sql::ResultSet> rows(release->executeQuery());
  } catch (const sql::SQLException& e) {
    // The session's locks go with it: drop the connection.
    conn_.MarkBroken();
    log::Warning("cannot release the CollectSSL slot", {{"lock", lock_name_}, {"error", e.what()}});
  }
}

absl::Status SectigoStore::Insert(const SectigoOrder& order, absl::Time now) {
  return storage::InsertRow(
      pool_, "insert Sectigo order",
      absl::StrCat(
          "INSERT INTO sectigo_orders (idempotency_key, kind, original_ca_order_id, unique_value,"
          " foreign_order_number, common_name, names_json, csr_pem, product_code,",
          kMutableColumns, ", created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ",
          kMutablePlaceholders, ", ?, ?, 1)"),
      now, [&](sql::PreparedStatement& insert) {
        int i = 1;
        insert.setString(i++, order.idempotency_key);
        insert.setString(i++, NameOf(kKindNames<OrderKind>, order.kind));
        SetOptionalText(insert, i++, order.original_ca_order_id);
        insert.setString(i++, order.unique_value);
        insert.setString(i++, order.foreign_order_number);
        insert.setString(i++, order.common_name);
        insert.setString(i++, storage::NamesJson(order.names));
        insert.setString(i++, order.csr_pem);
        insert.setString(i++, order.product_code);
        return BindMutable(insert, order, i);
      });
}

absl::StatusOr<std::optional<SectigoOrder>> SectigoStore::FindBy(const char* column,
                                                                 absl::string_view value) {
  return storage::FindRow(pool_, "read Sectigo order", kColumns, "sectigo_orders", column, value,
                          ReadOrder);
}

absl::StatusOr<std::optional<SectigoOrder>> SectigoStore::FindByKey(absl::string_view key) {
  return FindBy("idempotency_key", key);
}

absl::StatusOr<std::optional<SectigoOrder>> SectigoStore::FindByCaOrderId(
    absl::string_view ca_order_id) {
  return FindBy("ca_order_id", ca_order_id);
}

absl::StatusOr<bool> SectigoStore::Update(SectigoOrder& order, absl::Time now) {
  return storage::UpdateVersioned(
      pool_, "update Sectigo order", "sectigo_orders", kMutableAssignments, "idempotency_key",
      order.idempotency_key, &order.version, now,
      [&](sql::PreparedStatement& stmt) { return BindMutable(stmt, order, 1); });
}

absl::StatusOr<std::optional<absl::Time>> SectigoStore::BackoffUntil(absl::string_view login_name) {
  std::optional<absl::Time> until;
  absl::StatusOr<bool> found = storage::SelectOne(
      pool_, "read Sectigo account backoff",
      "SELECT backoff_until FROM sectigo_accounts WHERE login_name = ?", login_name,
      [&](sql::ResultSet& rows) { until = OptionalTime(rows, "backoff_until"); });
  if (!found.ok()) {
    return found.status();
  }
  return until;
}

absl::Status SectigoStore::SetBackoff(absl::string_view login_name, absl::Time until,
                                      absl::Time now) {
  return pool_.Run("store Sectigo account backoff", [&](sql::Connection& conn) {
    mysql::Statement upsert = pool_.Prepare(
        conn,
        "INSERT INTO sectigo_accounts (login_name, backoff_until, updated_at) VALUES (?, ?, ?)"
        " ON DUPLICATE KEY UPDATE backoff_until = GREATEST(COALESCE(backoff_until, ?), ?),"
        " updated_at = ?");
    upsert->setString(1, std::string(login_name));
    upsert->setString(2, mysql::ToSqlTime(until));
    upsert->setString(3, mysql::ToSqlTime(now));
    upsert->setString(4, mysql::ToSqlTime(until));
    upsert->setString(5, mysql::ToSqlTime(until));
    upsert->setString(6, mysql::ToSqlTime(now));
    upsert->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::unique_ptr<PollSlot>> SectigoStore::AcquirePollSlot(
    absl::string_view login_name, int max_in_flight, absl::Duration wait) {
  const absl::Time give_up = absl::Now() + wait;
  while (true) {
    // A waiter holds no connection between tries: the slot's holder needs
    // the pool for its own statements.
    absl::StatusOr<mysql::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) {
      return conn.status();
    }
    try {
      for (int slot = 0; slot < max_in_flight; ++slot) {
        const std::string name = LockName(login_name, slot);
        std::unique_ptr<sql::PreparedStatement> lock(
            (*conn)->prepareStatement("SELECT GET_LOCK(?, 0)"));
        lock->setString(1, name);
        std::unique_ptr<sql::ResultSet> rows(lock->executeQuery());
        if (rows->next() && !rows->isNull(1) && rows->getInt(1) == 1) {
          return std::make_unique<PollSlot>(*std::move(conn), name);
        }
      }
    } catch (const sql::SQLException& e) {
      conn->MarkBroken();
      return mysql::TranslateSqlError(e, "take a CollectSSL slot");
    }
    if (absl::Now() >= give_up) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "all ", max_in_flight, " CollectSSL slots of the Sectigo account are in use"));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

}  // namespace sslpanel::ca::sectigo
