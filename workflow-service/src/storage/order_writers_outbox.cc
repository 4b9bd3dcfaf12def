// The writers of the order_events, outbox and prevalidation_reports tables
// (see order_writers.h).
#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/app/idempotency_keys.h"
#include "workflow-service/src/storage/json_columns.h"
#include "workflow-service/src/storage/order_rows.h"
#include "workflow-service/src/storage/order_writers.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::Statement;
using mysql::ToSqlTime;

// The key the submission of `cert` was stored with, whatever prefix it has
// (a row from before the installation id, or before it was renewed).
std::string SubmissionKey(SaveContext& ctx, const domain::Certificate& cert, int submission) {
  Statement sent =
      ctx.pool.Prepare(ctx.conn,
                       "SELECT idempotency_key FROM outbox WHERE certificate_id = ? AND kind = ?"
                       " AND submission = ? ORDER BY id DESC LIMIT 1");
  sent->setInt64(1, cert.id);
  sent->setString(2, std::string(domain::ToString(domain::IntentKind::kSubmitToCa)));
  sent->setInt(3, submission);
  Rows rows(sent->executeQuery());
  if (rows->next()) {
    return rows->getString(1);
  }
  return app::IdempotencyKey(ctx.installation_id, domain::IntentKind::kSubmitToCa, cert.id,
                             submission, 0);
}

// A submission never attempted cannot have reached the CA: true when it was
// dropped here instead of being cancelled at the CA.
bool DropUnattempted(SaveContext& ctx, const std::string& submission_key) {
  Statement drop =
      ctx.pool.Prepare(ctx.conn,
                       "UPDATE outbox SET status = 'CANCELLED', updated_at = ?"
                       " WHERE idempotency_key = ? AND status = 'PENDING' AND attempts = 0");
  drop->setDateTime(1, ctx.now_sql);
  drop->setString(2, submission_key);
  return drop->executeUpdate() == 1;
}

struct OutboxRow {
  const domain::Intent* intent;
  std::optional<std::string> ref_key;
};

// Inserts `rows` in one multi-row INSERT (their ids are not needed here).
void InsertOutboxRows(SaveContext& ctx, const std::vector<OutboxRow>& rows) {
  if (rows.empty()) {
    return;
  }
  const domain::Order& order = ctx.after.order;
  Statement stmt = ctx.pool.Prepare(
      ctx.conn,
      absl::StrCat("INSERT INTO outbox (order_id, certificate_id, kind, submission,"
                   " idempotency_key, ref_key, detail_json, status, attempts, due_at,"
                   " created_at, updated_at) VALUES ",
                   absl::StrJoin(std::vector<std::string>(
                                     rows.size(), "(?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)"),
                                 ", ")));
  int k = 1;
  for (const OutboxRow& row : rows) {
    const domain::Intent& intent = *row.intent;
    const domain::Certificate& cert = order.certificates[intent.certificate];
    stmt->setInt64(k++, order.id);
    stmt->setInt64(k++, cert.id);
    stmt->setString(k++, std::string(domain::ToString(intent.kind)));
    stmt->setInt(k++, intent.submission);
    stmt->setString(k++, app::IdempotencyKey(ctx.installation_id, intent.kind, cert.id,
                                             intent.submission, order.version));
    if (row.ref_key.has_value()) {
      stmt->setString(k++, *row.ref_key);
    } else {
      stmt->setNull(k++, sql::DataType::VARCHAR);
    }
    if (intent.detail != domain::IntentDetail{}) {
      stmt->setString(k++, DetailToJson(intent.detail));
    } else {
      stmt->setNull(k++, sql::DataType::VARCHAR);
    }
    stmt->setDateTime(k++, ctx.now_sql);
    stmt->setDateTime(k++, ctx.now_sql);
    stmt->setDateTime(k++, ctx.now_sql);
  }
  stmt->executeUpdate();
}

}  // namespace

absl::Status WriteEvents(SaveContext& ctx) {
  const std::vector<domain::Event>& events = ctx.save.decision.events;
  if (events.empty()) {
    return absl::OkStatus();
  }
  const domain::Order& order = ctx.after.order;
  Statement stmt = ctx.pool.Prepare(
      ctx.conn,
      absl::StrCat("INSERT INTO order_events (order_id, order_version, certificate_id, type,"
                   " from_status, to_status, from_pending, to_pending, occurred_at,"
                   " recorded_at, actor, caller, reason) VALUES ",
                   absl::StrJoin(std::vector<std::string>(
                                     events.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                                 ", ")));
  int k = 1;
  for (const domain::Event& e : events) {
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
    stmt->setDateTime(k++, ctx.now_sql);
    stmt->setString(k++, Truncate(e.actor, 128));
    stmt->setString(k++, Truncate(e.caller, 255));
    stmt->setString(k++, Truncate(e.reason, 1024));
  }
  stmt->executeUpdate();
  // Ids of rows one multi-row INSERT assigns are not guaranteed to be
  // consecutive (innodb_autoinc_lock_mode=2, auto_increment_increment), so
  // events written here carry id 0 until read back; nothing in the response
  // needs them.
  for (const domain::Event& e : events) {
    app::EventRecord record;
    record.certificate_id = order.certificates[e.certificate].id;
    record.event = e;
    ctx.after.events.push_back(std::move(record));
  }
  return absl::OkStatus();
}

absl::Status WriteOutbox(SaveContext& ctx) {
  const domain::Order& order = ctx.after.order;
  std::vector<OutboxRow> rows;
  for (const domain::Intent& intent : ctx.save.decision.intents) {
    std::optional<std::string> ref_key;
    if (intent.kind == domain::IntentKind::kAbandonAtCa ||
        intent.kind == domain::IntentKind::kResolveAtCa) {
      // The lookup must see the rows of the intents before this one, as it
      // did when each row was inserted on its own.
      InsertOutboxRows(ctx, rows);
      rows.clear();
      ref_key = SubmissionKey(ctx, order.certificates[intent.certificate], intent.submission);
    }
    if (intent.kind == domain::IntentKind::kAbandonAtCa && DropUnattempted(ctx, *ref_key)) {
      continue;
    }
    rows.push_back({&intent, std::move(ref_key)});
  }
  InsertOutboxRows(ctx, rows);
  return absl::OkStatus();
}

absl::Status WritePrevalidation(SaveContext& ctx) {
  const app::SaveRequest& save = ctx.save;
  const domain::Order& order = ctx.after.order;
  std::optional<app::PrevalidationRecord>& stored = ctx.after.prevalidation;
  if (save.prevalidation.has_value() && save.prevalidation_of >= 0) {
    app::PrevalidationRecord report = *save.prevalidation;
    report.certificate_id = order.certificates[save.prevalidation_of].id;
    Statement stmt = ctx.pool.Prepare(
        ctx.conn,
        "INSERT INTO prevalidation_reports (order_id, certificate_id,"
        " submission, overall, report_json, checked_at) VALUES (?, ?, ?, ?, ?, ?)");
    stmt->setInt64(1, order.id);
    stmt->setInt64(2, report.certificate_id);
    stmt->setInt(3, report.submission);
    stmt->setString(4, std::string(domain::ToString(report.outcome)));
    stmt->setString(5, report.report_json);
    stmt->setDateTime(6, ToSqlTime(report.checked_at));
    stmt->executeUpdate();
    stored = std::move(report);
  }
  if (save.override_record.has_value()) {
    const app::OverrideRecord& o = *save.override_record;
    const int64_t certificate_id = order.certificates[o.certificate].id;
    Statement stmt = ctx.pool.Prepare(ctx.conn,
                                      "UPDATE prevalidation_reports SET overridden_by = ?,"
                                      " override_reason = ?, override_at = ? WHERE order_id = ?"
                                      " AND certificate_id = ? ORDER BY id DESC LIMIT 1");
    stmt->setString(1, Truncate(o.actor, 128));
    stmt->setString(2, Truncate(o.reason, 1024));
    stmt->setDateTime(3, ToSqlTime(o.at));
    stmt->setInt64(4, order.id);
    stmt->setInt64(5, certificate_id);
    stmt->executeUpdate();
    if (stored.has_value() && stored->certificate_id == certificate_id) {
      stored->overridden_by = o.actor;
      stored->override_reason = o.reason;
      stored->override_at = o.at;
    }
  }
  return absl::OkStatus();
}

absl::Status CompleteOutbox(SaveContext& ctx) {
  if (!ctx.save.completes_outbox_id.has_value()) {
    return absl::OkStatus();
  }
  Statement stmt = ctx.pool.Prepare(ctx.conn,
                                    "UPDATE outbox SET status = 'DONE', lease_owner = NULL,"
                                    " last_error = NULL, updated_at = ? WHERE id = ?");
  stmt->setDateTime(1, ctx.now_sql);
  stmt->setInt64(2, *ctx.save.completes_outbox_id);
  stmt->executeUpdate();
  return absl::OkStatus();
}

}  // namespace sslpanel::workflow::storage
