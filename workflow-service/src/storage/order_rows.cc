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

std::string Str(const Rows& rows, int column) {
  return rows->getString(static_cast<uint32_t>(column));
}

std::optional<absl::Time> OptionalTime(const Rows& rows, int column) {
  if (rows->isNull(static_cast<uint32_t>(column))) {
    return std::nullopt;
  }
  return FromSqlTime(Str(rows, column));
}

void SetOptionalTime(sql::PreparedStatement& stmt, int index, std::optional<absl::Time> t) {
  if (t.has_value()) {
    stmt.setDateTime(index, ToSqlTime(*t));
  } else {
    stmt.setNull(index, sql::DataType::TIMESTAMP);
  }
}

domain::Certificate ReadCertificate(const Rows& rows, int first) {
  auto at = [first](CertificateColumn column) { return static_cast<uint32_t>(first + column); };
  auto str = [&](CertificateColumn column) { return Str(rows, first + column); };
  domain::Certificate c;
  c.id = rows->getInt64(at(kCId));
  c.kind = ParseOr(str(kCKind), domain::CertificateKind::kInitial);
  c.status = ParseOr(str(kCStatus), domain::CertificateStatus::kOpen);
  c.pending = ParseOr(str(kCPending), domain::PendingOperation::kNone);
  c.hold = ParseOr(str(kCHold), domain::HoldReason::kNone);
  c.predecessor = rows->isNull(at(kCPredecessorSeq)) ? -1 : rows->getInt(at(kCPredecessorSeq));
  c.submission = rows->getInt(at(kCSubmission));
  c.csr_pem = str(kCCsr);
  c.common_name = str(kCCommonName);
  c.additional_names = NamesFromJson(str(kCAdditionalNames));
  c.domain_validations = DcvFromJson(str(kCDomainValidations));
  c.period_months = rows->getInt(at(kCPeriodMonths));
  c.ca_adapter = str(kCCaAdapter);
  c.ca_reference = str(kCCaReference);
  c.ca_raw_status = str(kCCaRawStatus);
  c.dcv_instructions = InstructionsFromJson(str(kCDcvInstructions));
  c.not_before = OptionalTime(rows, first + kCNotBefore);
  c.not_after = OptionalTime(rows, first + kCNotAfter);
  c.certificate_pem = str(kCCertificatePem);
  c.chain_pem = str(kCChainPem);
  c.serial_number = str(kCSerialNumber);
  c.rejection_reason = str(kCRejectionReason);
  c.last_error = str(kCLastError);
  c.created_at = FromSqlTime(str(kCCreatedAt));
  return c;
}

app::PrevalidationRecord ReadReport(const Rows& rows, int first) {
  auto at = [first](ReportColumn column) { return static_cast<uint32_t>(first + column); };
  auto str = [&](ReportColumn column) { return Str(rows, first + column); };
  app::PrevalidationRecord report;
  report.certificate_id = rows->getInt64(at(kPCertificateId));
  report.submission = rows->getInt(at(kPSubmission));
  domain::PrevalidationOutcome outcome = domain::PrevalidationOutcome::kPass;
  const std::string overall = str(kPOverall);
  for (auto candidate :
       {domain::PrevalidationOutcome::kPass, domain::PrevalidationOutcome::kFail,
        domain::PrevalidationOutcome::kNeedsReview, domain::PrevalidationOutcome::kNotApplicable}) {
    if (domain::ToString(candidate) == overall) {
      outcome = candidate;
    }
  }
  report.outcome = outcome;
  report.report_json = str(kPReportJson);
  report.checked_at = FromSqlTime(str(kPCheckedAt));
  if (!rows->isNull(at(kPOverriddenBy))) {
    report.overridden_by = str(kPOverriddenBy);
    report.override_reason = str(kPOverrideReason);
    report.override_at = OptionalTime(rows, first + kPOverrideAt);
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
