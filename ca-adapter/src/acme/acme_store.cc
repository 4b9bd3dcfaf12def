#include "ca-adapter/src/acme/acme_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/storage/row_helpers.h"

namespace sslpanel::ca::acme {
namespace {

using storage::OptionalTime;
using storage::SetOptionalTime;
using storage::Text;

using nlohmann::json;

constexpr char kOrderColumns[] =
    "order_url, idempotency_key, account_url, kind, original_order_url, names_json, dcv_json,"
    " csr_pem, acme_status, submitted_at, challenges_answered_at, finalized_at, cancelled_at,"
    " cancel_reason, revoked_at, revocation_reason, refusal_reason, certificate_pem, chain_pem,"
    " serial_number, not_before, not_after, version";

const char* KindName(OrderKind kind) {
  switch (kind) {
    case OrderKind::kInitial:
      return "initial";
    case OrderKind::kReissue:
      return "reissue";
    case OrderKind::kRenewal:
      return "renewal";
  }
  return "initial";
}

OrderKind ParseKind(const std::string& name) {
  if (name == "reissue") {
    return OrderKind::kReissue;
  }
  if (name == "renewal") {
    return OrderKind::kRenewal;
  }
  return OrderKind::kInitial;
}

std::string DcvJson(const std::vector<domain::DomainValidation>& validations) {
  json array = json::array();
  for (const domain::DomainValidation& dv : validations) {
    array.push_back({{"host_name", dv.host_name},
                     {"method", static_cast<int>(dv.method)},
                     {"approver_email", dv.approver_email}});
  }
  return array.dump();
}

std::vector<domain::DomainValidation> ParseDcvJson(const std::string& text) {
  std::vector<domain::DomainValidation> validations;
  const json array = json::parse(text, nullptr, false);
  if (array.is_array()) {
    for (const json& item : array) {
      // Written by DcvJson above; read defensively all the same (value()
      // throws on a wrongly typed member).
      if (!item.is_object()) {
        continue;
      }
      auto text = [&item](const char* name) {
        auto it = item.find(name);
        return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      auto method = item.find("method");
      validations.push_back(
          {text("host_name"),
           static_cast<domain::DcvMethod>(
               method != item.end() && method->is_number_integer() ? method->get<int>() : 0),
           text("approver_email")});
    }
  }
  return validations;
}

AcmeOrderRecord ReadOrder(sql::ResultSet& rows) {
  AcmeOrderRecord order;
  order.order_url = Text(rows, "order_url");
  order.idempotency_key = Text(rows, "idempotency_key");
  order.account_url = Text(rows, "account_url");
  order.kind = ParseKind(Text(rows, "kind"));
  order.original_order_url = Text(rows, "original_order_url");
  const json names = json::parse(Text(rows, "names_json"), nullptr, false);
  if (names.is_array()) {
    for (const json& name : names) {
      if (name.is_string()) {
        order.names.push_back(name.get<std::string>());
      }
    }
  }
  order.domain_validations = ParseDcvJson(Text(rows, "dcv_json"));
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
  if (!rows.isNull("certificate_pem")) {
    domain::IssuedCertificate cert;
    cert.certificate_pem = Text(rows, "certificate_pem");
    cert.chain_pem = Text(rows, "chain_pem");
    cert.serial_number = Text(rows, "serial_number");
    cert.not_before = mysql::FromSqlTime(Text(rows, "not_before"));
    cert.not_after = mysql::FromSqlTime(Text(rows, "not_after"));
    order.certificate = std::move(cert);
  }
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
  if (order.certificate.has_value()) {
    stmt.setString(i++, order.certificate->certificate_pem);
    stmt.setString(i++, order.certificate->chain_pem);
    stmt.setString(i++, order.certificate->serial_number);
    stmt.setString(i++, mysql::ToSqlTime(order.certificate->not_before));
    stmt.setString(i++, mysql::ToSqlTime(order.certificate->not_after));
  } else {
    for (int k = 0; k < 5; ++k) {
      stmt.setNull(i++, 0);
    }
  }
  // ChangeDcvMethod changes the choices (the challenge type) while pending.
  stmt.setString(i++, DcvJson(order.domain_validations));
  return i;
}

}  // namespace

absl::Status AcmeStore::InsertOrder(const AcmeOrderRecord& order, absl::Time now) {
  return pool_.Run("insert ACME order", [&](sql::Connection& conn) {
    std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
        "INSERT INTO acme_orders (order_url, idempotency_key, account_url, kind,"
        " original_order_url, names_json, csr_pem, submitted_at, acme_status,"
        " challenges_answered_at, finalized_at, cancelled_at, cancel_reason, revoked_at,"
        " revocation_reason, refusal_reason, certificate_pem, chain_pem, serial_number,"
        " not_before, not_after, dcv_json, version, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"));
    int i = 1;
    insert->setString(i++, order.order_url);
    insert->setString(i++, order.idempotency_key);
    insert->setString(i++, order.account_url);
    insert->setString(i++, KindName(order.kind));
    if (order.original_order_url.empty()) {
      insert->setNull(i++, 0);
    } else {
      insert->setString(i++, order.original_order_url);
    }
    insert->setString(i++, json(order.names).dump());
    insert->setString(i++, order.csr_pem);
    insert->setString(i++, mysql::ToSqlTime(order.submitted_at));
    i = BindMutable(*insert, order, i);
    insert->setString(i++, mysql::ToSqlTime(now));
    insert->setString(i++, mysql::ToSqlTime(now));
    insert->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<AcmeOrderRecord>> AcmeStore::FindOrderBy(const char* column,
                                                                      absl::string_view value) {
  std::optional<AcmeOrderRecord> order;
  absl::Status status = pool_.Run("read ACME order", [&](sql::Connection& conn) {
    std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
        absl::StrCat("SELECT ", kOrderColumns, " FROM acme_orders WHERE ", column, " = ?")));
    select->setString(1, std::string(value));
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    if (rows->next()) {
      order = ReadOrder(*rows);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return order;
}

absl::StatusOr<std::optional<AcmeOrderRecord>> AcmeStore::FindOrder(absl::string_view order_url) {
  return FindOrderBy("order_url", order_url);
}

absl::StatusOr<std::optional<AcmeOrderRecord>> AcmeStore::FindOrderByKey(absl::string_view key) {
  return FindOrderBy("idempotency_key", key);
}

absl::StatusOr<bool> AcmeStore::UpdateOrder(AcmeOrderRecord& order, absl::Time now) {
  bool updated = false;
  absl::Status status = pool_.Run("update ACME order", [&](sql::Connection& conn) {
    std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(absl::StrCat(
        "UPDATE acme_orders SET ", kMutableAssignments,
        ", version = version + 1, updated_at = ? WHERE order_url = ? AND version = ?")));
    int i = BindMutable(*update, order, 1);
    update->setString(i++, mysql::ToSqlTime(now));
    update->setString(i++, order.order_url);
    update->setInt(i++, order.version);
    updated = update->executeUpdate() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (updated) {
    ++order.version;
  }
  return updated;
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
