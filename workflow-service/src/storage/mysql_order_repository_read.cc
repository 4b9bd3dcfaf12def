// The read side of MysqlOrderRepository: whole orders in a few queries
// (LoadMany and what is built on it), event pages and request ids.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "workflow-service/src/storage/json_columns.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::FromSqlTime;
using mysql::ToSqlTime;
using Statement = mysql::Statement;

std::string EscapeLike(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"%", "\\%"}, {"_", "\\_"}});
}

// An order_events row (kEventColumnsOfE, by position). `seq`, its
// certificate's, comes from the caller: LoadMany knows it from the
// certificate rows, ListEvents joins it.
app::EventRecord ReadEvent(const Rows& rows, int seq) {
  auto at = [](EventColumn column) { return static_cast<uint32_t>(1 + column); };
  auto str = [&](EventColumn column) { return Str(rows, 1 + column); };
  app::EventRecord record;
  record.id = rows->getInt64(at(kEId));
  record.certificate_id = rows->getInt64(at(kECertificateId));
  domain::Event& e = record.event;
  e.certificate = seq;
  e.type = str(kEType);
  if (!rows->isNull(at(kEFromStatus))) {
    e.from_status = ParseOr(str(kEFromStatus), domain::CertificateStatus::kOpen);
  }
  e.to_status = ParseOr(str(kEToStatus), domain::CertificateStatus::kOpen);
  e.from_pending = ParseOr(str(kEFromPending), domain::PendingOperation::kNone);
  e.to_pending = ParseOr(str(kEToPending), domain::PendingOperation::kNone);
  e.at = FromSqlTime(str(kEOccurredAt));
  e.actor = str(kEActor);
  e.caller = str(kECaller);
  e.reason = str(kEReason);
  return record;
}

}  // namespace

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
    // 1-based positions of the order's, certificate's and report's columns.
    constexpr uint32_t kO = 1;
    constexpr uint32_t kC = kO + kOrderColumnCount;
    constexpr uint32_t kP = kC + kCertificateColumnCount;
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
        const int64_t order_id = rows->getInt64(kO + kOId);
        auto it = by_id.find(order_id);
        if (it == by_id.end()) {
          app::OrderRecord record;
          domain::Order& o = record.order;
          o.id = order_id;
          o.external_order_id = Str(rows, kO + kOExternalOrderId);
          o.product_id = Str(rows, kO + kOProductId);
          o.validation_type =
              ParseOr(Str(rows, kO + kOValidationType), domain::ValidationType::kDv);
          o.organization = OrganizationFromJson(Str(rows, kO + kOOrganization));
          o.status = ParseOr(Str(rows, kO + kOStatus), domain::OrderStatus::kOpen);
          o.version = rows->getInt64(kO + kOVersion);
          o.created_at = FromSqlTime(Str(rows, kO + kOCreatedAt));
          o.updated_at = FromSqlTime(Str(rows, kO + kOUpdatedAt));
          o.stuck_since = OptionalTime(rows, kO + kOStuckSince);
          if (!rows->isNull(kP + kPId)) {
            record.prevalidation = ReadReport(rows, kP);
          }
          it = by_id.emplace(order_id, std::move(record)).first;
        }
        if (!rows->isNull(kC + kCId)) {
          const int seq = rows->getInt(kC + kCSeq);
          seq_of[rows->getInt64(kC + kCId)] = seq;
          chains[order_id].emplace(seq, ReadCertificate(rows, kC));
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
        auto it = by_id.find(rows->getInt64(1 + kEOrderId));
        const auto seq = seq_of.find(rows->getInt64(1 + kECertificateId));
        if (it == by_id.end() || seq == seq_of.end() ||
            rows->getInt64(1 + kEOrderVersion) > it->second.order.version) {
          // Written after the order row above was read (a write committed
          // between the two queries): not part of the state this read shows.
          continue;
        }
        it->second.events.push_back(ReadEvent(rows, seq->second));
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
        conn, absl::StrCat("SELECT ", kEventColumnsWithSeq,
                           " FROM order_events e JOIN certificates c ON c.id = e.certificate_id"
                           " WHERE e.order_id = ? AND e.id > ? ORDER BY e.id LIMIT ",
                           limit + 1));
    stmt->setInt64(1, order_id);
    stmt->setInt64(2, after_event_id);
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      page.events.push_back(ReadEvent(rows, rows->getInt(1 + kEventColumnCount)));
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
      found = app::RequestRecord{Str(rows, 1), Str(rows, 2), Str(rows, 3), rows->getInt64(4)};
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return found;
}

}  // namespace sslpanel::workflow::storage
