#include "workflow-service/src/storage/mysql_order_repository.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/text/utf8.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/storage/json_columns.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::FromSqlTime;
using mysql::ToSqlTime;
using Statement = mysql::Statement;
using Rows = std::unique_ptr<sql::ResultSet>;

constexpr char kEventColumns[] =
    "e.id, e.order_id, e.certificate_id, c.seq, e.type, e.from_status, e.to_status,"
    " e.from_pending, e.to_pending, e.occurred_at, e.actor, e.reason";
// LoadMany reads orders, certificates and the latest report in one query:
// the order's and the report's columns under prefixes, the certificate's
// under their own names (as ReadCertificate reads them).
constexpr char kOrderColumnsAs[] =
    "o.id AS o_id, o.external_order_id AS o_external_order_id, o.product_id AS o_product_id,"
    " o.validation_type AS o_validation_type, o.organization AS o_organization,"
    " o.status AS o_status, o.version AS o_version, o.created_at AS o_created_at,"
    " o.updated_at AS o_updated_at, o.stuck_since AS o_stuck_since";
constexpr char kCertificateColumnsOfC[] =
    "c.id, c.order_id, c.seq, c.kind, c.status, c.pending_operation, c.hold_reason,"
    " c.predecessor_seq, c.submission, c.csr, c.common_name, c.additional_names,"
    " c.domain_validations, c.period_months, c.ca_adapter, c.ca_reference, c.ca_raw_status,"
    " c.dcv_instructions, c.not_before, c.not_after, c.certificate_pem, c.chain_pem,"
    " c.serial_number, c.rejection_reason, c.last_error, c.created_at";
constexpr char kReportColumnsAs[] =
    "p.id AS p_id, p.certificate_id AS p_certificate_id, p.submission AS p_submission,"
    " p.overall AS p_overall, p.report_json AS p_report_json, p.checked_at AS p_checked_at,"
    " p.overridden_by AS p_overridden_by, p.override_reason AS p_override_reason,"
    " p.override_at AS p_override_at";
constexpr char kEventColumnsOfE[] =
    "e.id, e.order_id, e.order_version, e.certificate_id, e.type, e.from_status, e.to_status,"
    " e.from_pending, e.to_pending, e.occurred_at, e.actor, e.reason";

std::string Placeholders(size_t n) {
  std::vector<std::string> marks(n, "?");
  return absl::StrJoin(marks, ", ");
}

std::string Str(const Rows& rows, const char* column) { return rows->getString(column); }

std::optional<absl::Time> OptionalTime(const Rows& rows, const char* column) {
  if (rows->isNull(column)) {
    return std::nullopt;
  }
  return FromSqlTime(std::string(rows->getString(column)));
}

void SetOptionalTime(sql::PreparedStatement& stmt, int index, std::optional<absl::Time> t) {
  if (t.has_value()) {
    stmt.setDateTime(index, ToSqlTime(*t));
  } else {
    stmt.setNull(index, sql::DataType::TIMESTAMP);
  }
}

// A value this binary does not know (written by a newer version during a
// rolling upgrade) must not be read as some default and then written back:
// the read fails instead (INTERNAL, logged), and the row stays untouched.
class UnknownValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename Enum>
Enum ParseOr(const std::string& text, Enum) {
  Enum value;
  if (!domain::Parse(text, &value)) {
    throw UnknownValue("\"" + text + "\" is not a value this version knows; upgrade it");
  }
  return value;
}

domain::Certificate ReadCertificate(const Rows& rows) {
  domain::Certificate c;
  c.id = rows->getInt64("id");
  c.kind = ParseOr(Str(rows, "kind"), domain::CertificateKind::kInitial);
  c.status = ParseOr(Str(rows, "status"), domain::CertificateStatus::kOpen);
  c.pending = ParseOr(Str(rows, "pending_operation"), domain::PendingOperation::kNone);
  c.hold = ParseOr(Str(rows, "hold_reason"), domain::HoldReason::kNone);
  c.predecessor = rows->isNull("predecessor_seq") ? -1 : rows->getInt("predecessor_seq");
  c.submission = rows->getInt("submission");
  c.csr_pem = Str(rows, "csr");
  c.common_name = Str(rows, "common_name");
  c.additional_names = NamesFromJson(Str(rows, "additional_names"));
  c.domain_validations = DcvFromJson(Str(rows, "domain_validations"));
  c.period_months = rows->getInt("period_months");
  c.ca_adapter = Str(rows, "ca_adapter");
  c.ca_reference = Str(rows, "ca_reference");
  c.ca_raw_status = Str(rows, "ca_raw_status");
  c.dcv_instructions = InstructionsFromJson(Str(rows, "dcv_instructions"));
  c.not_before = OptionalTime(rows, "not_before");
  c.not_after = OptionalTime(rows, "not_after");
  c.certificate_pem = Str(rows, "certificate_pem");
  c.chain_pem = Str(rows, "chain_pem");
  c.serial_number = Str(rows, "serial_number");
  c.rejection_reason = Str(rows, "rejection_reason");
  c.last_error = Str(rows, "last_error");
  c.created_at = FromSqlTime(Str(rows, "created_at"));
  return c;
}

// The prevalidation report columns of a LoadMany row (prefixed p_).
app::PrevalidationRecord ReadReport(const Rows& rows) {
  app::PrevalidationRecord report;
  report.certificate_id = rows->getInt64("p_certificate_id");
  report.submission = rows->getInt("p_submission");
  domain::PrevalidationOutcome outcome = domain::PrevalidationOutcome::kPass;
  const std::string overall = Str(rows, "p_overall");
  for (auto candidate :
       {domain::PrevalidationOutcome::kPass, domain::PrevalidationOutcome::kFail,
        domain::PrevalidationOutcome::kNeedsReview, domain::PrevalidationOutcome::kNotApplicable}) {
    if (domain::ToString(candidate) == overall) {
      outcome = candidate;
    }
  }
  report.outcome = outcome;
  report.report_json = Str(rows, "p_report_json");
  report.checked_at = FromSqlTime(Str(rows, "p_checked_at"));
  if (!rows->isNull("p_overridden_by")) {
    report.overridden_by = Str(rows, "p_overridden_by");
    report.override_reason = Str(rows, "p_override_reason");
    report.override_at = OptionalTime(rows, "p_override_at");
  }
  return report;
}

// Whether the row of `a` needs writing to become `b`.
bool SameRow(const domain::Certificate& a, const domain::Certificate& b) {
  return a.status == b.status && a.pending == b.pending && a.hold == b.hold &&
         a.submission == b.submission && a.csr_pem == b.csr_pem &&
         a.additional_names == b.additional_names && a.domain_validations == b.domain_validations &&
         a.period_months == b.period_months && a.ca_reference == b.ca_reference &&
         a.ca_raw_status == b.ca_raw_status && a.dcv_instructions == b.dcv_instructions &&
         a.not_before == b.not_before && a.not_after == b.not_after &&
         a.certificate_pem == b.certificate_pem && a.chain_pem == b.chain_pem &&
         a.serial_number == b.serial_number && a.rejection_reason == b.rejection_reason &&
         a.last_error == b.last_error;
}

// Column limits are in characters; cutting at a byte count on a character
// boundary always fits and never stores half a character.
std::string Truncate(const std::string& text, size_t max) { return text::TruncateUtf8(text, max); }

// Binds the certificate columns shared by INSERT and UPDATE, from index 1.
int BindCertificate(sql::PreparedStatement& stmt, const domain::Certificate& c) {
  int i = 1;
  stmt.setString(i++, std::string(domain::ToString(c.status)));
  stmt.setString(i++, std::string(domain::ToString(c.pending)));
  stmt.setString(i++, std::string(domain::ToString(c.hold)));
  stmt.setInt(i++, c.submission);
  stmt.setString(i++, c.csr_pem);
  stmt.setString(i++, NamesToJson(c.additional_names));
  stmt.setString(i++, DcvToJson(c.domain_validations));
  stmt.setInt(i++, c.period_months);
  stmt.setString(i++, Truncate(c.ca_reference, 512));
  stmt.setString(i++, Truncate(c.ca_raw_status, 255));
  stmt.setString(i++, InstructionsToJson(c.dcv_instructions));
  SetOptionalTime(stmt, i++, c.not_before);
  SetOptionalTime(stmt, i++, c.not_after);
  stmt.setString(i++, c.certificate_pem);
  stmt.setString(i++, c.chain_pem);
  stmt.setString(i++, Truncate(c.serial_number, 128));
  stmt.setString(i++, Truncate(c.rejection_reason, 1024));
  stmt.setString(i++, Truncate(c.last_error, 1024));
  return i;
}

constexpr char kCertificateValues[] =
    "status = ?, pending_operation = ?, hold_reason = ?, submission = ?, csr = ?,"
    " additional_names = ?, domain_validations = ?, period_months = ?, ca_reference = ?,"
    " ca_raw_status = ?, dcv_instructions = ?, not_before = ?, not_after = ?,"
    " certificate_pem = ?, chain_pem = ?, serial_number = ?, rejection_reason = ?,"
    " last_error = ?";

std::string Reverse(std::string text) {
  std::reverse(text.begin(), text.end());
  return text;
}

std::string EscapeLike(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"%", "\\%"}, {"_", "\\_"}});
}

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

std::string OutboxKey(domain::IntentKind kind, int64_t certificate_id, int submission,
                      int64_t order_version) {
  switch (kind) {
    case domain::IntentKind::kPrevalidate:
      return absl::StrCat("wf-prevalidate-", certificate_id, "-", submission);
    case domain::IntentKind::kSubmitToCa:
      return absl::StrCat("wf-submit-", certificate_id, "-", submission);
    case domain::IntentKind::kCancelAtCa:
      return absl::StrCat("wf-cancel-", certificate_id, "-v", order_version);
    case domain::IntentKind::kRevokeAtCa:
      return absl::StrCat("wf-revoke-", certificate_id, "-v", order_version);
    case domain::IntentKind::kAbandonAtCa:
      return absl::StrCat("wf-abandon-", certificate_id, "-", submission);
  }
  return "";
}

absl::StatusOr<std::vector<app::OrderRecord>> MysqlOrderRepository::LoadMany(
    const std::vector<int64_t>& ids) {
  std::vector<app::OrderRecord> records;
  if (ids.empty()) {
    return records;
  }
  absl::Status status = pool_.Run("load orders", [&](sql::Connection& conn) -> absl::Status {
    const std::string in = Placeholders(ids.size());
    auto bind_ids = [&](sql::PreparedStatement& stmt) {
      for (size_t i = 0; i < ids.size(); ++i) {
        stmt.setInt64(static_cast<int>(i + 1), ids[i]);
      }
    };
    std::map<int64_t, app::OrderRecord> by_id;
    // Certificate id -> seq, for the events.
    std::map<int64_t, int> seq_of;
    // Order id -> its certificates by seq.
    std::map<int64_t, std::map<int, domain::Certificate>> chains;
    {
      // Orders, their certificates and latest prevalidation report in one
      // round trip: one row per certificate, the order's and the report's
      // columns repeated on each (a chain has a handful of certificates).
      // No ORDER BY: sorting rows with TEXT columns takes an on-disk
      // temporary table; the certificates are put in seq order below.
      Statement stmt = pool_.Prepare(
          conn, absl::StrCat("SELECT ", kOrderColumnsAs, ", ", kCertificateColumnsOfC, ", ",
                             kReportColumnsAs,
                             " FROM orders o LEFT JOIN certificates c ON c.order_id = o.id"
                             " LEFT JOIN prevalidation_reports p ON p.id = (SELECT MAX(r.id) FROM"
                             " prevalidation_reports r WHERE r.order_id = o.id)"
                             " WHERE o.id IN (",
                             in, ")"));
      bind_ids(*stmt);
      Rows rows(stmt->executeQuery());
      while (rows->next()) {
        const int64_t order_id = rows->getInt64("o_id");
        auto it = by_id.find(order_id);
        if (it == by_id.end()) {
          app::OrderRecord record;
          domain::Order& o = record.order;
          o.id = order_id;
          o.external_order_id = Str(rows, "o_external_order_id");
          o.product_id = Str(rows, "o_product_id");
          o.validation_type = ParseOr(Str(rows, "o_validation_type"), domain::ValidationType::kDv);
          o.organization = OrganizationFromJson(Str(rows, "o_organization"));
          o.status = ParseOr(Str(rows, "o_status"), domain::OrderStatus::kOpen);
          o.version = rows->getInt64("o_version");
          o.created_at = FromSqlTime(Str(rows, "o_created_at"));
          o.updated_at = FromSqlTime(Str(rows, "o_updated_at"));
          o.stuck_since = OptionalTime(rows, "o_stuck_since");
          if (!rows->isNull("p_id")) {
            record.prevalidation = ReadReport(rows);
          }
          it = by_id.emplace(order_id, std::move(record)).first;
        }
        if (!rows->isNull("id")) {
          const int seq = rows->getInt("seq");
          seq_of[rows->getInt64("id")] = seq;
          chains[order_id].emplace(seq, ReadCertificate(rows));
        }
      }
      for (auto& [order_id, chain] : chains) {
        std::vector<domain::Certificate>& certificates = by_id[order_id].order.certificates;
        for (auto& [seq, certificate] : chain) {
          certificates.push_back(std::move(certificate));
        }
      }
    }
    {
      // The seq of each event's certificate comes from the rows above, so
      // this reads order_events alone.
      Statement stmt =
          pool_.Prepare(conn, absl::StrCat("SELECT ", kEventColumnsOfE,
                                           " FROM order_events e WHERE e.order_id IN (", in,
                                           ") ORDER BY e.order_id, e.id"));
      bind_ids(*stmt);
      Rows rows(stmt->executeQuery());
      while (rows->next()) {
        auto it = by_id.find(rows->getInt64("order_id"));
        const auto seq = seq_of.find(rows->getInt64("certificate_id"));
        if (it == by_id.end() || seq == seq_of.end() ||
            rows->getInt64("order_version") > it->second.order.version) {
          // Written after the order row above was read (a write committed
          // between the two queries): not part of the state this read shows.
          continue;
        }
        app::EventRecord record;
        record.id = rows->getInt64("id");
        record.certificate_id = rows->getInt64("certificate_id");
        domain::Event& e = record.event;
        e.certificate = seq->second;
        e.type = Str(rows, "type");
        if (!rows->isNull("from_status")) {
          e.from_status = ParseOr(Str(rows, "from_status"), domain::CertificateStatus::kOpen);
        }
        e.to_status = ParseOr(Str(rows, "to_status"), domain::CertificateStatus::kOpen);
        e.from_pending = ParseOr(Str(rows, "from_pending"), domain::PendingOperation::kNone);
        e.to_pending = ParseOr(Str(rows, "to_pending"), domain::PendingOperation::kNone);
        e.at = FromSqlTime(Str(rows, "occurred_at"));
        e.actor = Str(rows, "actor");
        e.reason = Str(rows, "reason");
        it->second.events.push_back(std::move(record));
      }
    }
    for (int64_t id : ids) {
      auto it = by_id.find(id);
      if (it != by_id.end()) {
        records.push_back(std::move(it->second));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return records;
}

absl::StatusOr<app::OrderRecord> MysqlOrderRepository::Get(int64_t order_id) {
  auto records = LoadMany({order_id});
  if (!records.ok()) {
    return records.status();
  }
  if (records->empty()) {
    return absl::NotFoundError(absl::StrCat("order_id: there is no order ", order_id));
  }
  return std::move(records->front());
}

absl::StatusOr<app::OrderRecord> MysqlOrderRepository::GetByExternalId(
    const std::string& external_order_id) {
  int64_t id = 0;
  absl::Status status = pool_.Run("find order by external id", [&](sql::Connection& conn) {
    Statement stmt = pool_.Prepare(conn, "SELECT id FROM orders WHERE external_order_id = ?");
    stmt->setString(1, external_order_id);
    Rows rows(stmt->executeQuery());
    if (rows->next()) {
      id = rows->getInt64(1);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (id == 0) {
    return absl::NotFoundError(
        absl::StrCat("external_order_id: there is no order \"", external_order_id, "\""));
  }
  return Get(id);
}

absl::StatusOr<app::OrderPage> MysqlOrderRepository::List(const app::ListQuery& query) {
  std::vector<std::string> where;
  std::vector<std::function<void(sql::PreparedStatement&, int)>> binds;
  auto add = [&](std::string clause, std::function<void(sql::PreparedStatement&, int)> bind) {
    where.push_back(std::move(clause));
    if (bind) {
      binds.push_back(std::move(bind));
    }
  };
  auto text = [](std::string value) {
    return [value](sql::PreparedStatement& s, int i) { s.setString(i, value); };
  };
  if (query.order_status.has_value()) {
    add("status = ?", text(std::string(domain::ToString(*query.order_status))));
  }
  if (query.certificate_status.has_value()) {
    add("current_status = ?", text(std::string(domain::ToString(*query.certificate_status))));
  }
  if (query.reseller_code.has_value()) {
    add("reseller_code = ?", text(std::string(domain::ToString(*query.reseller_code))));
  }
  const std::string pattern = absl::AsciiStrToLower(query.common_name_pattern);
  if (absl::StartsWith(pattern, "*")) {
    // A suffix: searched on the reversed name so the index serves it.
    add("common_name_reversed LIKE ?", text(EscapeLike(Reverse(pattern.substr(1))) + "%"));
  } else if (absl::EndsWith(pattern, "*")) {
    add("common_name LIKE ?", text(EscapeLike(pattern.substr(0, pattern.size() - 1)) + "%"));
  } else if (!pattern.empty()) {
    add("common_name = ?", text(pattern));
  }
  if (query.expiring_before.has_value()) {
    add("expires_at >= ?", text(ToSqlTime(query.now)));
    add("expires_at < ?", text(ToSqlTime(*query.expiring_before)));
  }
  if (query.stuck_only) {
    add("stuck_since IS NOT NULL", nullptr);
  }
  if (query.before_order_id > 0) {
    const int64_t before = query.before_order_id;
    add("id < ?", [before](sql::PreparedStatement& s, int i) { s.setInt64(i, before); });
  }
  const std::string sql =
      absl::StrCat("SELECT id FROM orders", where.empty() ? "" : " WHERE ",
                   absl::StrJoin(where, " AND "), " ORDER BY id DESC LIMIT ", query.limit + 1);
  std::vector<int64_t> ids;
  absl::Status status = pool_.Run("list orders", [&](sql::Connection& conn) {
    Statement stmt = pool_.Prepare(conn, sql);
    for (size_t i = 0; i < binds.size(); ++i) {
      binds[i](*stmt, static_cast<int>(i + 1));
    }
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      ids.push_back(rows->getInt64(1));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  app::OrderPage page;
  page.more = static_cast<int>(ids.size()) > query.limit;
  if (page.more) {
    ids.resize(query.limit);
  }
  auto records = LoadMany(ids);
  if (!records.ok()) {
    return records.status();
  }
  page.orders = *std::move(records);
  return page;
}

absl::StatusOr<app::EventPage> MysqlOrderRepository::ListEvents(int64_t order_id,
                                                                int64_t after_event_id, int limit) {
  app::EventPage page;
  bool found = false;
  absl::Status status = pool_.Run("list events", [&](sql::Connection& conn) {
    {
      Statement stmt = pool_.Prepare(conn, "SELECT 1 FROM orders WHERE id = ?");
      stmt->setInt64(1, order_id);
      Rows rows(stmt->executeQuery());
      found = rows->next();
    }
    if (!found) {
      return absl::OkStatus();
    }
    Statement stmt = pool_.Prepare(
        conn, absl::StrCat("SELECT ", kEventColumns,
                           " FROM order_events e JOIN certificates c ON c.id = e.certificate_id"
                           " WHERE e.order_id = ? AND e.id > ? ORDER BY e.id LIMIT ",
                           limit + 1));
    stmt->setInt64(1, order_id);
    stmt->setInt64(2, after_event_id);
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      app::EventRecord record;
      record.id = rows->getInt64("id");
      record.certificate_id = rows->getInt64("certificate_id");
      domain::Event& e = record.event;
      e.certificate = rows->getInt("seq");
      e.type = Str(rows, "type");
      if (!rows->isNull("from_status")) {
        e.from_status = ParseOr(Str(rows, "from_status"), domain::CertificateStatus::kOpen);
      }
      e.to_status = ParseOr(Str(rows, "to_status"), domain::CertificateStatus::kOpen);
      e.from_pending = ParseOr(Str(rows, "from_pending"), domain::PendingOperation::kNone);
      e.to_pending = ParseOr(Str(rows, "to_pending"), domain::PendingOperation::kNone);
      e.at = FromSqlTime(Str(rows, "occurred_at"));
      e.actor = Str(rows, "actor");
      e.reason = Str(rows, "reason");
      page.events.push_back(std::move(record));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (!found) {
    return absl::NotFoundError(absl::StrCat("order_id: there is no order ", order_id));
  }
  page.more = static_cast<int>(page.events.size()) > limit;
  if (page.more) {
    page.events.resize(limit);
  }
  return page;
}

absl::StatusOr<std::optional<app::RequestRecord>> MysqlOrderRepository::FindRequest(
    const std::string& request_id) {
  std::optional<app::RequestRecord> found;
  absl::Status status = pool_.Run("find request id", [&](sql::Connection& conn) {
    Statement stmt = pool_.Prepare(
        conn,
        "SELECT request_id, method, fingerprint, order_id FROM request_ids WHERE request_id = ?");
    stmt->setString(1, request_id);
    Rows rows(stmt->executeQuery());
    if (rows->next()) {
      found = app::RequestRecord{Str(rows, "request_id"), Str(rows, "method"),
                                 Str(rows, "fingerprint"), rows->getInt64("order_id")};
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return found;
}

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
                 " recorded_at, actor, reason) VALUES ",
                 absl::StrJoin(std::vector<std::string>(decision.events.size(),
                                                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
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
      if (intent.kind == domain::IntentKind::kAbandonAtCa) {
        ref_key = OutboxKey(domain::IntentKind::kSubmitToCa, cert.id, intent.submission, 0);
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
          " ref_key, status, attempts, due_at, created_at, updated_at)"
          " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)");
      stmt->setInt64(1, order.id);
      stmt->setInt64(2, cert.id);
      stmt->setString(3, std::string(domain::ToString(intent.kind)));
      stmt->setInt(4, intent.submission);
      stmt->setString(5, OutboxKey(intent.kind, cert.id, intent.submission, order.version));
      if (ref_key.has_value()) {
        stmt->setString(6, *ref_key);
      } else {
        stmt->setNull(6, sql::DataType::VARCHAR);
      }
      stmt->setDateTime(7, now_sql);
      stmt->setDateTime(8, now_sql);
      stmt->setDateTime(9, now_sql);
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
