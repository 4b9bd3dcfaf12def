#include "chaos/src/checks.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration-tests/client.h"

namespace sslpanel::chaos {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Status changes the state machine can make (DESIGN.md, transitions 1-9);
// a change of only the pending operation keeps the status.
bool LegalStep(const std::string& from, const std::string& to) {
  static const auto* legal = new std::set<std::pair<std::string, std::string>>{
      {"OPEN", "OPEN"},           {"OPEN", "REQUESTED"},   {"OPEN", "REJECTED"},
      {"REQUESTED", "REQUESTED"}, {"REQUESTED", "ACTIVE"}, {"REQUESTED", "REJECTED"},
      {"ACTIVE", "ACTIVE"},       {"ACTIVE", "REVOKED"},   {"ACTIVE", "EXPIRED"},
      {"ACTIVE", "RENEWED"},      {"RENEWED", "RENEWED"},  {"RENEWED", "ACTIVE"},
      {"RENEWED", "EXPIRED"},     {"RENEWED", "REVOKED"}};
  return legal->count({from, to}) > 0;
}

// Events that happen at most once in a certificate's life in this load (no
// edits, one cancel per certificate): a second one is work done twice.
bool OnceOnly(const std::string& type) {
  static const auto* once = new std::set<std::string>{"CREATED",
                                                      "CA_ACCEPTED",
                                                      "CA_ISSUED",
                                                      "CANCELLED",
                                                      "CANCEL_REQUESTED",
                                                      "CA_CANCEL_CONFIRMED",
                                                      "CA_REVOKE_CONFIRMED",
                                                      "RENEWED",
                                                      "PREVALIDATION_PASSED"};
  return once->count(type) > 0;
}

bool Waiting(const v1::Certificate& c) {
  return c.status() == v1::CERTIFICATE_STATUS_OPEN ||
         c.status() == v1::CERTIFICATE_STATUS_REQUESTED ||
         c.pending_operation() != v1::PENDING_OPERATION_NONE;
}

std::string Describe(const v1::Order& order) {
  std::string out;
  for (const v1::Certificate& c : order.certificates()) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", v1::CertificateKind_Name(c.kind()), " ",
                    v1::CertificateStatus_Name(c.status()), "/",
                    v1::PendingOperation_Name(c.pending_operation()));
  }
  return out;
}

int CountKind(const v1::Order& order, v1::CertificateKind kind) {
  int n = 0;
  for (const v1::Certificate& c : order.certificates()) {
    n += c.kind() == kind;
  }
  return n;
}

}  // namespace

void Verdict::Note(const std::string& text) {
  if (examples.size() < 12) {
    examples.push_back(text);
  }
}

std::string SqlTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

absl::Time ParseSqlTime(const std::string& text) {
  absl::Time t = absl::InfinitePast();
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &t, &error)) {
    return absl::InfinitePast();
  }
  return t;
}

absl::StatusOr<Rows> Query(const mysql::MysqlConfig& config, const std::string& sql) {
  mysql::MysqlConfig one = config;
  one.pool_size = 1;
  auto pool = mysql::ConnectionPool::Create(one);
  if (!pool.ok()) {
    return pool.status();
  }
  Rows out;
  absl::Status status = (*pool)->Run("chaos check", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery(sql));
    const unsigned columns = rows->getMetaData()->getColumnCount();
    while (rows->next()) {
      std::vector<std::string> row;
      for (unsigned i = 1; i <= columns; ++i) {
        row.push_back(rows->isNull(i) ? "" : std::string(rows->getString(i)));
      }
      out.push_back(std::move(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return out;
}

bool Settle(const mysql::MysqlConfig& workflow_db, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline && !Interrupted()) {
    auto waiting = Query(workflow_db,
                         "SELECT (SELECT COUNT(*) FROM certificates WHERE status IN"
                         " ('OPEN', 'REQUESTED') OR pending_operation <> 'NONE') +"
                         " (SELECT COUNT(*) FROM outbox WHERE status = 'PENDING')");
    if (waiting.ok() && !waiting->empty() && (*waiting)[0][0] == "0") {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  return false;
}

absl::StatusOr<Verdict> Check(const std::vector<Lifecycle>& lifecycles, Client& client,
                              const mysql::MysqlConfig& workflow_db,
                              const mysql::MysqlConfig& sandbox_db) {
  auto orders = Query(workflow_db, "SELECT id, external_order_id, common_name FROM orders");
  auto certs = Query(workflow_db,
                     "SELECT c.id, c.order_id, c.kind, c.status, o.common_name"
                     " FROM certificates c JOIN orders o ON o.id = c.order_id");
  auto events = Query(workflow_db,
                      "SELECT certificate_id, type, from_status, to_status, from_pending,"
                      " to_pending FROM order_events ORDER BY id");
  auto requests = Query(workflow_db, "SELECT request_id, order_id FROM request_ids");
  auto ca_orders = Query(sandbox_db,
                         "SELECT common_name, UPPER(kind), COUNT(*) FROM sandbox_orders"
                         " GROUP BY common_name, UPPER(kind)");
  for (const auto* result : {&orders, &certs, &events, &requests, &ca_orders}) {
    if (!result->ok()) {
      return result->status();
    }
  }
  Verdict v;
  std::map<std::string, std::string> order_by_external;
  for (const auto& row : *orders) {
    order_by_external[row[1]] = row[0];
  }
  std::map<std::string, std::string> request_order;
  for (const auto& row : *requests) {
    request_order[row[0]] = row[1];
  }
  // certificate id -> (type -> count), and its status now.
  std::map<std::string, std::map<std::string, int>> event_counts;
  std::map<std::string, std::string> history;  // certificate id -> "CREATED, SUBMITTED, ..."
  std::map<std::string, std::string> cert_status;
  std::map<std::pair<std::string, std::string>, int64_t> certs_per_name;
  for (const auto& row : *certs) {
    cert_status[row[0]] = row[3];
    ++certs_per_name[{row[4], row[2]}];
  }

  // Every history a legal path: each event starts where the previous one
  // ended, the first one creates, and the last one is where the certificate is.
  std::map<std::string, std::pair<std::string, std::string>> last;  // id -> (status, pending)
  std::set<std::string> illegal;
  for (const auto& row : *events) {
    const std::string& id = row[0];
    ++event_counts[id][row[1]];
    absl::StrAppend(&history[id], history[id].empty() ? "" : " > ", row[1]);
    auto it = last.find(id);
    bool ok = true;
    if (it == last.end()) {
      ok = row[1] == "CREATED" && row[2].empty();
    } else {
      ok = row[2] == it->second.first && row[4] == it->second.second && LegalStep(row[2], row[3]);
    }
    if (!ok && illegal.insert(id).second) {
      v.Note(
          absl::StrCat("illegal: certificate ", id, " event ", row[1], " ", row[2], "/", row[4],
                       " -> ", row[3], "/", row[5], " after ",
                       it == last.end() ? "nothing" : it->second.first + "/" + it->second.second));
    }
    last[id] = {row[3], row[5]};
  }
  for (const auto& [id, state] : last) {
    if (cert_status[id] != state.first && illegal.insert(id).second) {
      v.Note(absl::StrCat("illegal: certificate ", id, " is ", cert_status[id],
                          " but its history ends at ", state.first));
    }
  }
  v.illegal = static_cast<int64_t>(illegal.size());
  for (const auto& [id, counts] : event_counts) {
    for (const auto& [type, n] : counts) {
      if (n > 1 && OnceOnly(type)) {
        v.duplicated += n - 1;
        v.Note(absl::StrCat("duplicated: certificate ", id, " has ", n, " ", type, " events"));
      }
    }
  }
  // No CA order twice: never more sandbox orders for a name and kind than
  // certificates of that kind for the name (each certificate is at most one
  // CA order, whatever its idempotency key looks like).
  for (const auto& row : *ca_orders) {
    const int64_t ca = std::stoll(row[2]);
    const int64_t ours = certs_per_name[{row[0], row[1]}];
    if (ca > ours) {
      v.duplicated += ca - ours;
      v.Note(absl::StrCat("duplicated: ", ca, " sandbox ", row[1], " orders for ", row[0], ", ",
                          ours, " certificates"));
    }
  }

  auto require_request = [&](const std::string& request_id, const std::string& order_id) {
    auto it = request_order.find(request_id);
    if (it == request_order.end() || it->second != order_id) {
      ++v.lost;
      v.Note(absl::StrCat("lost: request ", request_id, " not recorded for order ", order_id));
      return false;
    }
    return true;
  };
  for (const Lifecycle& lc : lifecycles) {
    if (lc.order_id.empty()) {
      continue;  // the create was never acknowledged: nothing is owed
    }
    if (order_by_external.count(lc.external_id) == 0) {
      ++v.lost;
      v.Note(absl::StrCat("lost: acknowledged order ", lc.external_id, " is not in the database"));
      continue;
    }
    if (!require_request(lc.create_request, lc.order_id)) {
      continue;
    }
    // The end state as the API shows it.
    const std::string order_id = lc.order_id;
    absl::StatusOr<v1::Order> order = client.Retry(
        "GetOrder",
        [&](v1::WorkflowService::Stub& stub) { return integration::Get(stub, order_id); },
        absl::Seconds(30));
    if (!order.ok()) {
      return order.status();
    }
    const std::string first_cert = order->certificates(0).certificate_id();
    if (!lc.cancel_request.empty() && require_request(lc.cancel_request, lc.order_id)) {
      const int n =
          event_counts[first_cert]["CANCELLED"] + event_counts[first_cert]["CANCEL_REQUESTED"];
      if (n == 0) {
        ++v.lost;
        v.Note(absl::StrCat("lost: order ", order_id, " cancel acknowledged, no cancel event"));
      }
    }
    for (const auto& [request, kind] :
         {std::pair{lc.reissue_request, v1::CERTIFICATE_KIND_REISSUE},
          std::pair{lc.renew_request, v1::CERTIFICATE_KIND_RENEWAL}}) {
      if (request.empty() || !require_request(request, lc.order_id)) {
        continue;
      }
      const int n = CountKind(*order, kind);
      if (n == 0) {
        ++v.lost;
        v.Note(absl::StrCat("lost: order ", order_id, " ", request, " made no certificate"));
      } else if (n > 1) {
        v.duplicated += n - 1;
        v.Note(absl::StrCat("duplicated: order ", order_id, " has ", n, " ",
                            v1::CertificateKind_Name(kind), " certificates"));
      }
    }
    bool waiting = false;
    for (const v1::Certificate& c : order->certificates()) {
      waiting = waiting || Waiting(c);
    }
    if (waiting) {
      ++v.unfinished;
      v.Note(absl::StrCat("unfinished: order ", order_id, " (", ScriptName(lc.script),
                          "): ", Describe(*order)));
      continue;
    }
    // The end state the acknowledged calls imply.
    const auto& chain = order->certificates();
    bool as_intended = true;
    if (!lc.cancel_request.empty()) {
      as_intended = chain[0].status() == v1::CERTIFICATE_STATUS_REJECTED ||
                    chain[0].status() == v1::CERTIFICATE_STATUS_REVOKED;
    } else if (!lc.reissue_request.empty()) {
      as_intended = chain.size() == 2 && chain[0].status() == v1::CERTIFICATE_STATUS_ACTIVE &&
                    chain[1].status() == v1::CERTIFICATE_STATUS_ACTIVE;
    } else if (!lc.renew_request.empty()) {
      as_intended = chain.size() == 2 && chain[0].status() == v1::CERTIFICATE_STATUS_RENEWED &&
                    chain[1].status() == v1::CERTIFICATE_STATUS_ACTIVE;
    } else {
      as_intended = chain.size() == 1 && chain[0].status() == v1::CERTIFICATE_STATUS_ACTIVE;
    }
    if (!as_intended) {
      ++v.dropped;
      v.Note(absl::StrCat("dropped: order ", order_id, " (", ScriptName(lc.script), ") ended ",
                          Describe(*order), "; history ", history[first_cert]));
    }
  }
  return v;
}

}  // namespace sslpanel::chaos
