// The writers of the orders, request_ids and certificates tables (see
// order_writers.h).
#include "workflow-service/src/storage/order_writers.h"

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/storage/json_columns.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::Statement;
using mysql::ToSqlTime;

// Columns of the orders row derived from the chain, for filters.
struct OrderSummary {
  std::string current_status;
  std::string reseller_code;
  std::string common_name;
  std::optional<absl::Time> expires_at;
};

OrderSummary Summarize(const domain::Order& order, absl::Time now) {
  OrderSummary summary;
  const int current = domain::CurrentCertificate(order);
  summary.current_status = std::string(domain::ToString(order.certificates[current].status));
  summary.reseller_code = std::string(domain::ToString(domain::ResellerCodeOf(order, now)));
  summary.common_name = order.certificates.back().common_name;
  const int active = domain::NewestActive(order);
  if (active >= 0) {
    summary.expires_at = order.certificates[active].not_after;
  }
  return summary;
}

// The column list of a certificate INSERT: BindCertificate's columns, then
// the ones only a new row sets (BindNewCertificate).
const std::string& CertificateInsertColumns() {
  static const std::string* columns = new std::string(
      absl::StrCat(absl::StrReplaceAll(kCertificateValues, {{" = ?", ""}}),
                   ", order_id, seq, kind, predecessor_seq, common_name, ca_adapter, next_poll_at,"
                   " created_at, updated_at"));
  return *columns;
}
// The ? of one row of CertificateInsertColumns(): kCertificateValues' 18,
// then order_id and the 8 after it.
constexpr int kCertificateValueParams = 18;
constexpr int kCertificateTailParams = 8;

// The order id of a new order is not known in C++ until the certificates
// are read back: its rows take it from LAST_INSERT_ID() in the statement
// itself (see InsertCertificates).
bool OrderIdPending(const SaveContext& ctx) { return ctx.after.order.id == 0; }

// Binds one new certificate row from parameter `k`; returns the next index.
// The order_id is bound only when the order id is known.
int BindNewCertificate(SaveContext& ctx, sql::PreparedStatement& stmt, int k, size_t seq,
                       const std::optional<absl::Time>& next_poll) {
  const domain::Certificate& cert = ctx.after.order.certificates[seq];
  k = BindCertificate(stmt, cert, k);
  if (!OrderIdPending(ctx)) {
    stmt.setInt64(k++, ctx.after.order.id);
  }
  stmt.setInt(k++, static_cast<int>(seq));
  stmt.setString(k++, std::string(domain::ToString(cert.kind)));
  if (cert.predecessor >= 0) {
    stmt.setInt(k++, cert.predecessor);
  } else {
    stmt.setNull(k++, sql::DataType::INTEGER);
  }
  stmt.setString(k++, cert.common_name);
  stmt.setString(k++, cert.ca_adapter);
  SetOptionalTime(stmt, k++, next_poll);
  stmt.setDateTime(k++, ToSqlTime(cert.created_at));
  stmt.setDateTime(k++, ctx.now_sql);
  return k;
}

void InsertOrder(SaveContext& ctx, const OrderSummary& summary) {
  domain::Order& order = ctx.after.order;
  Statement stmt = ctx.pool.Prepare(
      ctx.conn,
      "INSERT INTO orders (external_order_id, product_id, validation_type, organization,"
      " status, current_status, reseller_code, common_name, common_name_reversed,"
      " expires_at, stuck_since, sla_deadline, version, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1, ?, ?)");
  stmt->setString(1, order.external_order_id);
  stmt->setString(2, order.product_id);
  stmt->setString(3, std::string(domain::ToString(order.validation_type)));
  stmt->setString(4, OrganizationToJson(order.organization));
  stmt->setString(5, std::string(domain::ToString(order.status)));
  stmt->setString(6, summary.current_status);
  stmt->setString(7, summary.reseller_code);
  stmt->setString(8, summary.common_name);
  stmt->setString(9, Reverse(summary.common_name));
  SetOptionalTime(*stmt, 10, summary.expires_at);
  SetOptionalTime(*stmt, 11, ctx.save.sla_deadline);
  stmt->setDateTime(12, ToSqlTime(order.created_at));
  stmt->setDateTime(13, ctx.now_sql);
  stmt->executeUpdate();
  // No RETURNING (MySQL has none) and no SELECT LAST_INSERT_ID() round trip:
  // order.id stays 0 (OrderIdPending) and the next inserts of this Save take
  // the id from LAST_INSERT_ID() on the server; InsertCertificates reads it
  // back with the certificate ids.
  order.version = 1;
}

absl::Status UpdateOrder(SaveContext& ctx, const OrderSummary& summary) {
  domain::Order& order = ctx.after.order;
  const int64_t read_version = ctx.before.order.version;
  const bool progressed = !ctx.save.decision.events.empty();
  Statement stmt = ctx.pool.Prepare(
      ctx.conn,
      "UPDATE orders SET organization = ?, status = ?, current_status = ?, reseller_code = ?,"
      " common_name = ?, common_name_reversed = ?, expires_at = ?,"
      " stuck_since = IF(?, NULL, stuck_since), sla_deadline = IF(?, ?, sla_deadline),"
      " version = version + 1, updated_at = ?"
      " WHERE id = ? AND version = ?");
  stmt->setString(1, OrganizationToJson(order.organization));
  stmt->setString(2, std::string(domain::ToString(order.status)));
  stmt->setString(3, summary.current_status);
  stmt->setString(4, summary.reseller_code);
  stmt->setString(5, summary.common_name);
  stmt->setString(6, Reverse(summary.common_name));
  SetOptionalTime(*stmt, 7, summary.expires_at);
  stmt->setBoolean(8, progressed);
  stmt->setBoolean(9, progressed);
  SetOptionalTime(*stmt, 10, ctx.save.sla_deadline);
  stmt->setDateTime(11, ctx.now_sql);
  stmt->setInt64(12, order.id);
  stmt->setInt64(13, read_version);
  if (stmt->executeUpdate() != 1) {
    return absl::AbortedError(absl::StrCat("order ", order.id,
                                           " was changed by another request (version ",
                                           read_version, " is gone); load it again"));
  }
  order.version = read_version + 1;
  if (progressed) {
    order.stuck_since.reset();
  }
  return absl::OkStatus();
}

// Inserts the certificates at `seqs` in one multi-row INSERT, then reads
// their ids back by seq in one SELECT (ids of a multi-row INSERT are never
// assumed consecutive: innodb_autoinc_lock_mode=2, auto_increment_increment).
// Two round trips, on MySQL 8.0+ and MariaDB 10.6+ alike.
//
// For a new order (OrderIdPending) the order id comes from the server:
// - The rows' order_id is LAST_INSERT_ID(). Within a statement,
//   LAST_INSERT_ID() returns the first id generated by the PREVIOUS
//   statement that generated one (the server reads
//   thd->first_successful_insert_id_in_prev_stmt, in MySQL and MariaDB
//   alike), so every row of this multi-row INSERT gets the orders row's id
//   even though the INSERT generates certificate ids itself; the ones it
//   generates become visible only to the statements after it. The
//   request_ids INSERT in between generates none and leaves it alone.
//   (Statement-based binlogs carry the value, so replicas agree.)
// - After the INSERT, LAST_INSERT_ID() is the id of its FIRST row, so the
//   read-back finds the order through that row (primary key, then
//   uk_certificates_order_seq: a join, not a subquery, so both servers use
//   the indexes) and returns every certificate of the order: all new, as
//   the order is.
// save_round_trips_test checks both on a multi-row insert.
void InsertCertificates(SaveContext& ctx, const std::vector<size_t>& seqs,
                        const std::vector<std::optional<absl::Time>>& next_polls) {
  const bool new_order = OrderIdPending(ctx);
  const std::string row = absl::StrCat("(", Placeholders(kCertificateValueParams),
                                       new_order ? ", LAST_INSERT_ID(), " : ", ?, ",
                                       Placeholders(kCertificateTailParams), ")");
  Statement stmt = ctx.pool.Prepare(
      ctx.conn, absl::StrCat("INSERT INTO certificates (", CertificateInsertColumns(), ") VALUES ",
                             absl::StrJoin(std::vector<std::string>(seqs.size(), row), ", ")));
  int k = 1;
  for (size_t i = 0; i < seqs.size(); ++i) {
    k = BindNewCertificate(ctx, *stmt, k, seqs[i], next_polls[i]);
  }
  stmt->executeUpdate();

  domain::Order& order = ctx.after.order;
  // New certificates are appended to the chain: for an existing order every
  // row from the first new seq on is one of them (one text whatever their
  // number, so the statement cache serves it).
  Statement read =
      ctx.pool.Prepare(ctx.conn, new_order ? "SELECT c.order_id, c.id, c.seq FROM certificates f"
                                             " JOIN certificates c ON c.order_id = f.order_id"
                                             " WHERE f.id = LAST_INSERT_ID()"
                                           : "SELECT order_id, id, seq FROM certificates"
                                             " WHERE order_id = ? AND seq >= ?");
  if (!new_order) {
    read->setInt64(1, order.id);
    read->setInt(2, static_cast<int>(seqs.front()));
  }
  Rows rows(read->executeQuery());
  size_t found = 0;
  while (rows->next()) {
    const size_t seq = static_cast<size_t>(rows->getInt(3));
    if (std::find(seqs.begin(), seqs.end(), seq) == seqs.end()) {
      throw std::runtime_error(absl::StrCat("certificates read back: seq ", seq, " of order ",
                                            rows->getInt64(1), " was not inserted by this save"));
    }
    order.id = rows->getInt64(1);
    order.certificates.at(seq).id = rows->getInt64(2);
    ++found;
  }
  if (found != seqs.size()) {
    throw std::runtime_error(
        absl::StrCat("certificates read back: ", found, " rows, ", seqs.size(), " inserted"));
  }
}

// The id of the order just inserted, for a new order without certificates
// (none is: the chain starts with one; kept so the id is never left 0).
void ReadOrderId(SaveContext& ctx) {
  Statement stmt = ctx.pool.Prepare(ctx.conn, "SELECT LAST_INSERT_ID()");
  Rows rows(stmt->executeQuery());
  if (!rows->next() || rows->getInt64(1) == 0) {
    throw std::runtime_error("SELECT LAST_INSERT_ID() after INSERT INTO orders returned no id");
  }
  ctx.after.order.id = rows->getInt64(1);
}

void UpdateCertificate(SaveContext& ctx, const domain::Certificate& cert, bool touch_poll,
                       const std::optional<absl::Time>& next_poll) {
  Statement stmt = ctx.pool.Prepare(
      ctx.conn, absl::StrCat("UPDATE certificates SET ", kCertificateValues,
                             ", next_poll_at = IF(?, ?, next_poll_at),"
                             " poll_failures = IF(?, 0, poll_failures), updated_at = ?"
                             " WHERE id = ?"));
  int k = BindCertificate(*stmt, cert);
  stmt->setBoolean(k++, touch_poll);
  SetOptionalTime(*stmt, k++, next_poll);
  stmt->setBoolean(k++, touch_poll);
  stmt->setDateTime(k++, ctx.now_sql);
  stmt->setInt64(k++, cert.id);
  stmt->executeUpdate();
}

}  // namespace

absl::Status WriteOrderRow(SaveContext& ctx) {
  const OrderSummary summary = Summarize(ctx.after.order, ctx.now);
  if (ctx.before.order.id == 0) {
    InsertOrder(ctx, summary);
    return absl::OkStatus();
  }
  return UpdateOrder(ctx, summary);
}

absl::Status WriteRequestId(SaveContext& ctx) {
  if (!ctx.save.request.has_value()) {
    return absl::OkStatus();
  }
  const app::RequestRecord& request = *ctx.save.request;
  // A new order's id is LAST_INSERT_ID() (the orders INSERT just before;
  // see InsertCertificates). request_ids has no AUTO_INCREMENT column, so
  // this INSERT leaves LAST_INSERT_ID() to the certificates INSERT after it.
  const bool new_order = OrderIdPending(ctx);
  Statement stmt = ctx.pool.Prepare(
      ctx.conn, absl::StrCat("INSERT INTO request_ids (request_id, method,"
                             " fingerprint, order_id, created_at) VALUES (?, ?, ?, ",
                             new_order ? "LAST_INSERT_ID()" : "?", ", ?)"));
  int k = 1;
  stmt->setString(k++, request.request_id);
  stmt->setString(k++, request.method);
  stmt->setString(k++, request.fingerprint);
  if (!new_order) {
    stmt->setInt64(k++, ctx.after.order.id);
  }
  stmt->setDateTime(k++, ctx.now_sql);
  stmt->executeUpdate();
  return absl::OkStatus();
}

absl::Status WriteCertificates(SaveContext& ctx) {
  const domain::Order& before = ctx.before.order;
  const domain::Order& order = ctx.after.order;
  std::vector<size_t> new_seqs;
  std::vector<std::optional<absl::Time>> new_polls;
  for (size_t i = 0; i < order.certificates.size(); ++i) {
    const domain::Certificate& cert = order.certificates[i];
    const domain::Certificate* old =
        i < before.certificates.size() ? &before.certificates[i] : nullptr;
    // The CA status sync watches what domain::NeedsCaWatch says.
    const bool was_pollable = old != nullptr && domain::NeedsCaWatch(before, static_cast<int>(i));
    const bool pollable = domain::NeedsCaWatch(order, static_cast<int>(i));
    // Newly watched: poll soon (at once, or when the saver's own check's
    // lease ends). No longer watched: never. Else leave the sync loop's
    // schedule alone.
    const bool touch_poll = pollable != was_pollable;
    const std::optional<absl::Time> next_poll =
        pollable ? std::optional<absl::Time>(ctx.save.first_check_at.value_or(ctx.now))
                 : std::nullopt;
    if (cert.id == 0) {
      new_seqs.push_back(i);
      new_polls.push_back(next_poll);
    } else if (old == nullptr || !SameRow(*old, cert) || touch_poll) {
      UpdateCertificate(ctx, cert, touch_poll, next_poll);
    }
  }
  if (!new_seqs.empty()) {
    InsertCertificates(ctx, new_seqs, new_polls);
  } else if (OrderIdPending(ctx)) {
    ReadOrderId(ctx);
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::workflow::storage
