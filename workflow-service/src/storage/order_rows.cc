#include "workflow-service/src/storage/order_rows.h"

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/mysql/mysql.h"
#include "common/text/utf8.h"
#include "workflow-service/src/storage/json_columns.h"

namespace sslpanel::workflow::storage {

using mysql::FromSqlTime;
using mysql::ToSqlTime;

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

std::string Truncate(const std::string& text, size_t max) { return text::TruncateUtf8(text, max); }

int BindCertificate(sql::PreparedStatement& stmt, const domain::Certificate& c, int first) {
  int i = first;
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

std::string Reverse(std::string text) {
  std::reverse(text.begin(), text.end());
  return text;
}

}  // namespace sslpanel::workflow::storage
