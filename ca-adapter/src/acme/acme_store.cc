#include "ca-adapter/src/acme/acme_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/storage/row_helpers.h"

namespace sslpanel::ca::acme {
namespace {

using storage::kKindNames;
using storage::NameOf;
using storage::OptionalTime;
using storage::SetOptionalTime;
using storage::Text;
using storage::ValueOf;

constexpr char kOrderColumns[] =
    "order_url, idempotency_key, account_url, kind, original_order_url, names_json, dcv_json,"
    " csr_pem, acme_status, submitted_at, challenges_answered_at, finalized_at, cancelled_at,"
    " cancel_reason, revoked_at, revocation_reason, refusal_reason, certificate_pem, chain_pem,"
    " serial_number, not_before, not_after, version";

AcmeOrderRecord ReadOrder(sql::ResultSet& rows) {
  AcmeOrderRecord order;
  order.order_url = Text(rows, "order_url");
  order.idempotency_key = Text(rows, "idempotency_key");
  order.account_url = Text(rows, "account_url");
  order.kind = ValueOf(kKindNames<OrderKind>, Text(rows, "kind"));
  order.original_order_url = Text(rows, "original_order_url");
  order.names = storage::ParseNamesJson(Text(rows, "names_json"));
  order.domain_validations = storage::ParseDomainValidationsJson(Text(rows, "dcv_json"));
  order.csr_pem = Text(rows, "csr_pem");
  order.acme_status = Text(rows, "acme_status");
  order.submitted_at = mysql::FromSqlTime(Text(rows, "submitted_at"));
  order.challenges_answered_at = OptionalTime(rows, "challenges_answered_at");
  order.finalized_at = OptionalTime(rows, "finalized_at");
  order.cancelled_at = OptionalTime(rows, "cancelled_at");
  order.cancel_reason = Text(rows, "cancel_reason");
  order.revoked_at = OptionalTime(rows, "revoked_at");
  order.revocation_reason = static_cast<domain::RevocationReason>(rows.getInt("revocation_reason"));
  order.refusal_reason = Text(rows, "refusal_reason");
  order.certificate = storage::ReadIssuedCertificate(rows);
  order.version = rows.getInt("version");
  return order;
}

// The columns an update may change, bound in this order.
constexpr char kMutableAssignments[] =
    "acme_status = ?, challenges_answered_at = ?, finalized_at = ?, cancelled_at = ?,"
    " cancel_reason = ?, revoked_at = ?, revocation_reason = ?, refusal_reason = ?,"
    " certificate_pem = ?, chain_pem = ?, serial_number = ?, not_before = ?, not_after = ?,"
    " dcv_json = ?";

int BindMutable(sql::PreparedStatement& stmt, const AcmeOrderRecord& order, int i) {
  stmt.setString(i++, order.acme_status);
  SetOptionalTime(stmt, i++, order.challenges_answered_at);
  SetOptionalTime(stmt, i++, order.finalized_at);
  SetOptionalTime(stmt, i++, order.cancelled_at);
  stmt.setString(i++, order.cancel_reason);
  SetOptionalTime(stmt, i++, order.revoked_at);
  stmt.setInt(i++, static_cast<int>(order.revocation_reason));
  stmt.setString(i++, order.refusal_reason);
  i = storage::BindIssuedCertificate(stmt, i, order.certificate);
  // ChangeDcvMethod changes the choices (the challenge type) while pending.
  stmt.setString(i++, storage::DomainValidationsJson(order.domain_validations));
  return i;
}

}  // namespace

absl::Status AcmeStore::InsertOrder(const AcmeOrderRecord& order, absl::Time now) {
  return storage::InsertRow(
      pool_, "insert ACME order",
      "INSERT INTO acme_orders (order_url, idempotency_key, account_url, kind,"
      " original_order_url, names_json, csr_pem, submitted_at, acme_status,"
      " challenges_answered_at, finalized_at, cancelled_at, cancel_reason, revoked_at,"
      " revocation_reason, refusal_reason, certificate_pem, chain_pem, serial_number,"
      " not_before, not_after, dcv_json, version, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
      now, [&](sql::PreparedStatement& insert) {
        int i = 1;
        insert.setString(i++, order.order_url);
        insert.setString(i++, order.idempotency_key);
        insert.setString(i++, order.account_url);
        insert.setString(i++, NameOf(kKindNames<OrderKind>, order.kind));
        if (order.original_order_url.empty()) {
          insert.setNull(i++, 0);
        } else {
          insert.setString(i++, order.original_order_url);
        }
        insert.setString(i++, storage::NamesJson(order.names));
        insert.setString(i++, order.csr_pem);
        insert.setString(i++, mysql::ToSqlTime(order.submitted_at));
        return BindMutable(insert, order, i);
      });
}

absl::StatusOr<std::optional<AcmeOrderRecord>> AcmeStore::FindOrderBy(const char* column,
                                                                      absl::string_view value) {
  return storage::FindRow(pool_, "read ACME order", kOrderColumns, "acme_orders", column, value,
                          ReadOrder);
}

absl::StatusOr<std::optional<AcmeOrderRecord>> AcmeStore::FindOrder(absl::string_view order_url) {
  return FindOrderBy("order_url", order_url);
}

absl::StatusOr<std::optional<AcmeOrderRecord>> AcmeStore::FindOrderByKey(absl::string_view key) {
  return FindOrderBy("idempotency_key", key);
}

absl::StatusOr<bool> AcmeStore::UpdateOrder(AcmeOrderRecord& order, absl::Time now) {
  return storage::UpdateVersioned(
      pool_, "update ACME order", "acme_orders", kMutableAssignments, "order_url", order.order_url,
      &order.version, now,
      [&](sql::PreparedStatement& stmt) { return BindMutable(stmt, order, 1); });
}

absl::Status AcmeStore::Apply(AcmeOrderRecord& order,
                              const std::function<void(AcmeOrderRecord&)>& change, absl::Time now) {
  for (int round = 0; round < 5; ++round) {
    change(order);
    absl::StatusOr<bool> updated = UpdateOrder(order, now);
    if (!updated.ok()) {
      return updated.status();
    }
    if (*updated) {
      return absl::OkStatus();
    }
    absl::StatusOr<std::optional<AcmeOrderRecord>> fresh = FindOrder(order.order_url);
    if (!fresh.ok()) {
      return fresh.status();
    }
    if (!fresh->has_value()) {
      return absl::InternalError(absl::StrCat("ACME order ", order.order_url, " vanished"));
    }
    order = **std::move(fresh);
  }
  return absl::AbortedError(absl::StrCat("ACME order ", order.order_url, " keeps changing; retry"));
}

}  // namespace sslpanel::ca::acme
