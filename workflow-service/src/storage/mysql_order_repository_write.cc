// The write side of MysqlOrderRepository: Save, one transaction per
// decision, and the idempotency keys of the outbox rows it writes.
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/app/idempotency_keys.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/storage/json_columns.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::ToSqlTime;
using Statement = mysql::Statement;

absl::Status WithDuplicateKind(absl::Status status, absl::string_view kind) {
  status.SetPayload(app::kDuplicatePayload, absl::Cord(kind));
  return status;
}

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

}  // namespace

int64_t MysqlOrderRepository::LastInsertId(sql::Connection& conn) {
  // Portable (MySQL 8 has no INSERT ... RETURNING); cached, so one round
  // trip. The value is per connection, so concurrent inserts do not mix.
  Statement stmt = pool_.Prepare(conn, "SELECT LAST_INSERT_ID()");
  Rows rows(stmt->executeQuery());
  rows->next();
  return rows->getInt64(1);
}

absl::StatusOr<app::OrderRecord> MysqlOrderRepository::Save(const app::OrderRecord& before,
                                                            const app::SaveRequest& save) {
  const domain::Decision& decision = save.decision;
  app::OrderRecord after;
  after.order = decision.order;
  after.events = before.events;
  after.prevalidation = before.prevalidation;
  const absl::Time now = decision.order.updated_at;
  const std::string now_sql = ToSqlTime(now);
  enum class Stage { kOrder, kRequest, kOther } stage = Stage::kOther;

  auto conn = pool_.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  try {
    mysql::Transaction tx(**conn);
    sql::Connection& c = **conn;
    domain::Order& order = after.order;
    const OrderSummary summary = Summarize(order, now);
    const bool progressed = !decision.events.empty();

    // 1. The order row: inserted, or updated only at the version we read.
    stage = Stage::kOrder;
    if (before.order.id == 0) {
      Statement stmt = pool_.Prepare(
          c,
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
      SetOptionalTime(*stmt, 11, save.sla_deadline);
      stmt->setDateTime(12, ToSqlTime(order.created_at));
      stmt->setDateTime(13, now_sql);
      stmt->executeUpdate();
      order.id = LastInsertId(c);
      order.version = 1;
    } else {
      Statement stmt = pool_.Prepare(
          c,
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
      SetOptionalTime(*stmt, 10, save.sla_deadline);
      stmt->setDateTime(11, now_sql);
      stmt->setInt64(12, order.id);
      stmt->setInt64(13, before.order.version);
      if (stmt->executeUpdate() != 1) {
        return absl::AbortedError(absl::StrCat("order ", order.id,
                                               " was changed by another request (version ",
                                               before.order.version, " is gone); load it again"));
      }
      order.version = before.order.version + 1;
      if (progressed) {
        order.stuck_since.reset();
      }
    }

    // 2. The idempotency record, in the same transaction as its effect.
    if (save.request.has_value()) {
      stage = Stage::kRequest;
      Statement stmt =
          pool_.Prepare(c,
                        "INSERT INTO request_ids (request_id, method, fingerprint, order_id,"
                        " created_at) VALUES (?, ?, ?, ?, ?)");
      stmt->setString(1, save.request->request_id);
      stmt->setString(2, save.request->method);
      stmt->setString(3, save.request->fingerprint);
      stmt->setInt64(4, order.id);
      stmt->setDateTime(5, now_sql);
      stmt->executeUpdate();
      stage = Stage::kOther;
    }

    // 3. Certificates: new ones inserted, changed ones updated.
    for (size_t i = 0; i < order.certificates.size(); ++i) {
      domain::Certificate& cert = order.certificates[i];
      const domain::Certificate* old =
          i < before.order.certificates.size() ? &before.order.certificates[i] : nullptr;
      // The CA status sync watches what domain::NeedsCaWatch says.
      const bool was_pollable =
          old != nullptr && domain::NeedsCaWatch(before.order, static_cast<int>(i));
      const bool pollable = domain::NeedsCaWatch(order, static_cast<int>(i));
      // Newly watched: poll soon. No longer watched: never. Else leave the
      // sync loop's schedule alone.
      const bool touch_poll = pollable != was_pollable;
      std::optional<absl::Time> next_poll =
          pollable ? std::optional<absl::Time>(now) : std::nullopt;
      if (cert.id == 0) {
        Statement stmt =
            pool_.Prepare(c, absl::StrCat("INSERT INTO certificates SET ", kCertificateValues,
                                          ", order_id = ?, seq = ?, kind = ?, predecessor_seq = ?,"
                                          " common_name = ?, ca_adapter = ?, next_poll_at = ?,"
                                          " created_at = ?, updated_at = ?"));
        int k = BindCertificate(*stmt, cert);
        stmt->setInt64(k++, order.id);
        stmt->setInt(k++, static_cast<int>(i));
        stmt->setString(k++, std::string(domain::ToString(cert.kind)));
        if (cert.predecessor >= 0) {
          stmt->setInt(k++, cert.predecessor);
        } else {
          stmt->setNull(k++, sql::DataType::INTEGER);
        }
        stmt->setString(k++, cert.common_name);
        stmt->setString(k++, cert.ca_adapter);
        SetOptionalTime(*stmt, k++, next_poll);
        stmt->setDateTime(k++, ToSqlTime(cert.created_at));
        stmt->setDateTime(k++, now_sql);
        stmt->executeUpdate();
        cert.id = LastInsertId(c);
      } else if (old == nullptr || !SameRow(*old, cert) || touch_poll) {
        Statement stmt =
            pool_.Prepare(c, absl::StrCat("UPDATE certificates SET ", kCertificateValues,
                                          ", next_poll_at = IF(?, ?, next_poll_at),"
                                          " poll_failures = IF(?, 0, poll_failures), updated_at = ?"
                                          " WHERE id = ?"));
        int k = BindCertificate(*stmt, cert);
        stmt->setBoolean(k++, touch_poll);
        SetOptionalTime(*stmt, k++, next_poll);
        stmt->setBoolean(k++, touch_poll);
        stmt->setDateTime(k++, now_sql);
        stmt->setInt64(k++, cert.id);
        stmt->executeUpdate();
      }
    }

    // 4. Events, appended.
    if (!decision.events.empty()) {
      Statement stmt = pool_.Prepare(
          c, absl::StrCat(
                 "INSERT INTO order_events (order_id, order_version, certificate_id, type,"
                 " from_status, to_status, from_pending, to_pending, occurred_at,"
                 " recorded_at, actor, caller, reason) VALUES ",
                 absl::StrJoin(std::vector<std::string>(decision.events.size(),
                                                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                               ", ")));
      int k = 1;
      for (const domain::Event& e : decision.events) {
        stmt->setInt64(k++, order.id);
        stmt->setInt64(k++, order.version);
        stmt->setInt64(k++, order.certificates[e.certificate].id);
        stmt->setString(k++, e.type);
        if (e.from_status.has_value()) {
          stmt->setString(k++, std::string(domain::ToString(*e.from_status)));
        } else {
          stmt->setNull(k++, sql::DataType::VARCHAR);
        }
        stmt->setString(k++, std::string(domain::ToString(e.to_status)));
        stmt->setString(k++, std::string(domain::ToString(e.from_pending)));
        stmt->setString(k++, std::string(domain::ToString(e.to_pending)));
        stmt->setDateTime(k++, ToSqlTime(e.at));
        stmt->setDateTime(k++, now_sql);
        stmt->setString(k++, Truncate(e.actor, 128));
        stmt->setString(k++, Truncate(e.caller, 255));
        stmt->setString(k++, Truncate(e.reason, 1024));
      }
      stmt->executeUpdate();
      // Ids of rows one multi-row INSERT assigns are not guaranteed to be
      // consecutive (innodb_autoinc_lock_mode=2, auto_increment_increment),
      // so events written here carry id 0 until read back; nothing in the
      // response needs them.
      for (const domain::Event& e : decision.events) {
        app::EventRecord record;
        record.certificate_id = order.certificates[e.certificate].id;
        record.event = e;
        after.events.push_back(std::move(record));
      }
    }

    // 5. Outbox rows for the intents, delivered after commit.
    for (const domain::Intent& intent : decision.intents) {
      const domain::Certificate& cert = order.certificates[intent.certificate];
      std::optional<std::string> ref_key;
      if (intent.kind == domain::IntentKind::kAbandonAtCa ||
          intent.kind == domain::IntentKind::kResolveAtCa) {
        // The key the submission was stored with, whatever prefix it has (a
        // row from before the installation id, or before it was renewed).
        Statement sent =
            pool_.Prepare(c,
                          "SELECT idempotency_key FROM outbox WHERE certificate_id = ? AND kind = ?"
                          " AND submission = ? ORDER BY id DESC LIMIT 1");
        sent->setInt64(1, cert.id);
        sent->setString(2, std::string(domain::ToString(domain::IntentKind::kSubmitToCa)));
        sent->setInt(3, intent.submission);
        Rows sent_rows(sent->executeQuery());
        ref_key = sent_rows->next()
                      ? std::string(sent_rows->getString(1))
                      : app::IdempotencyKey(installation_id_, domain::IntentKind::kSubmitToCa,
                                            cert.id, intent.submission, 0);
        sent_rows.reset();
      }
      if (intent.kind == domain::IntentKind::kAbandonAtCa) {
        // A submission never attempted cannot have reached the CA: drop it
        // instead of cancelling at the CA.
        Statement drop =
            pool_.Prepare(c,
                          "UPDATE outbox SET status = 'CANCELLED', updated_at = ?"
                          " WHERE idempotency_key = ? AND status = 'PENDING' AND attempts = 0");
        drop->setDateTime(1, now_sql);
        drop->setString(2, *ref_key);
        if (drop->executeUpdate() == 1) {
          continue;
        }
      }
      Statement stmt = pool_.Prepare(
          c,
          "INSERT INTO outbox (order_id, certificate_id, kind, submission, idempotency_key,"
          " ref_key, detail_json, status, attempts, due_at, created_at, updated_at)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)");
      stmt->setInt64(1, order.id);
      stmt->setInt64(2, cert.id);
      stmt->setString(3, std::string(domain::ToString(intent.kind)));
      stmt->setInt(4, intent.submission);
      stmt->setString(5, app::IdempotencyKey(installation_id_, intent.kind, cert.id,
                                             intent.submission, order.version));
      if (ref_key.has_value()) {
        stmt->setString(6, *ref_key);
      } else {
        stmt->setNull(6, sql::DataType::VARCHAR);
      }
      if (intent.detail != domain::IntentDetail{}) {
        stmt->setString(7, DetailToJson(intent.detail));
      } else {
        stmt->setNull(7, sql::DataType::VARCHAR);
      }
      stmt->setDateTime(8, now_sql);
      stmt->setDateTime(9, now_sql);
      stmt->setDateTime(10, now_sql);
      stmt->executeUpdate();
    }

    // 6. Prevalidation report and override.
    if (save.prevalidation.has_value() && save.prevalidation_of >= 0) {
      app::PrevalidationRecord report = *save.prevalidation;
      report.certificate_id = order.certificates[save.prevalidation_of].id;
      Statement stmt =
          pool_.Prepare(c,
                        "INSERT INTO prevalidation_reports (order_id, certificate_id,"
                        " submission, overall, report_json, checked_at) VALUES (?, ?, ?, ?, ?, ?)");
      stmt->setInt64(1, order.id);
      stmt->setInt64(2, report.certificate_id);
      stmt->setInt(3, report.submission);
      stmt->setString(4, std::string(domain::ToString(report.outcome)));
      stmt->setString(5, report.report_json);
      stmt->setDateTime(6, ToSqlTime(report.checked_at));
      stmt->executeUpdate();
      after.prevalidation = std::move(report);
    }
    if (save.override_record.has_value()) {
      const app::OverrideRecord& o = *save.override_record;
      Statement stmt = pool_.Prepare(c,
                                     "UPDATE prevalidation_reports SET overridden_by = ?,"
                                     " override_reason = ?, override_at = ? WHERE order_id = ?"
                                     " AND certificate_id = ? ORDER BY id DESC LIMIT 1");
      stmt->setString(1, Truncate(o.actor, 128));
      stmt->setString(2, Truncate(o.reason, 1024));
      stmt->setDateTime(3, ToSqlTime(o.at));
      stmt->setInt64(4, order.id);
      stmt->setInt64(5, order.certificates[o.certificate].id);
      stmt->executeUpdate();
      if (after.prevalidation.has_value() &&
          after.prevalidation->certificate_id == order.certificates[o.certificate].id) {
        after.prevalidation->overridden_by = o.actor;
        after.prevalidation->override_reason = o.reason;
        after.prevalidation->override_at = o.at;
      }
    }

    // 7. The outbox row whose delivery led here is done.
    if (save.completes_outbox_id.has_value()) {
      Statement stmt = pool_.Prepare(c,
                                     "UPDATE outbox SET status = 'DONE', lease_owner = NULL,"
                                     " last_error = NULL, updated_at = ? WHERE id = ?");
      stmt->setDateTime(1, now_sql);
      stmt->setInt64(2, *save.completes_outbox_id);
      stmt->executeUpdate();
    }

    // 8. The order as of this version, for webhooks and include_order.
    if (progressed && encode_snapshot_) {
      WriteOrderSnapshot(pool_, c, after, encode_snapshot_, now);
    }
    tx.Commit();
    return after;
  } catch (const sql::SQLException& e) {
    if (mysql::IsConnectionError(e)) {
      conn->MarkBroken();
    }
    absl::Status status = mysql::TranslateSqlError(e, "save order");
    if (status.code() == absl::StatusCode::kAlreadyExists) {
      if (stage == Stage::kRequest) {
        return WithDuplicateKind(
            absl::AlreadyExistsError(absl::StrCat("request_id \"", save.request->request_id,
                                                  "\" was used by a concurrent request")),
            app::kDuplicateRequestId);
      }
      if (stage == Stage::kOrder) {
        return WithDuplicateKind(
            absl::AlreadyExistsError(absl::StrCat(
                "external_order_id: \"", decision.order.external_order_id, "\" already exists")),
            app::kDuplicateExternalOrderId);
      }
    }
    return status;
  }
}

}  // namespace sslpanel::workflow::storage
