// How the rows of the order repository's tables map to the domain and back:
// the column lists the queries select, reading a certificate or report row,
// binding a certificate's columns, and the conversions they share. Internal
// to storage/: only the MysqlOrderRepository .cc files include it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "absl/time/time.h"
#include "workflow-service/src/app/records.h"
#include "workflow-service/src/domain/model.h"

namespace sql {
class PreparedStatement;
class ResultSet;
}  // namespace sql

namespace sslpanel::workflow::storage {

using Rows = std::unique_ptr<sql::ResultSet>;

// LoadMany reads orders, certificates and the latest report in one query:
// the order's and the report's columns under prefixes, the certificate's
// under their own names (as ReadCertificate reads them).
inline constexpr char kOrderColumnsAs[] =
    "o.id AS o_id, o.external_order_id AS o_external_order_id, o.product_id AS o_product_id,"
    " o.validation_type AS o_validation_type, o.organization AS o_organization,"
    " o.status AS o_status, o.version AS o_version, o.created_at AS o_created_at,"
    " o.updated_at AS o_updated_at, o.stuck_since AS o_stuck_since";
inline constexpr char kCertificateColumnsOfC[] =
    "c.id, c.order_id, c.seq, c.kind, c.status, c.pending_operation, c.hold_reason,"
    " c.predecessor_seq, c.submission, c.csr, c.common_name, c.additional_names,"
    " c.domain_validations, c.period_months, c.ca_adapter, c.ca_reference, c.ca_raw_status,"
    " c.dcv_instructions, c.not_before, c.not_after, c.certificate_pem, c.chain_pem,"
    " c.serial_number, c.rejection_reason, c.last_error, c.created_at";
inline constexpr char kReportColumnsAs[] =
    "p.id AS p_id, p.certificate_id AS p_certificate_id, p.submission AS p_submission,"
    " p.overall AS p_overall, p.report_json AS p_report_json, p.checked_at AS p_checked_at,"
    " p.overridden_by AS p_overridden_by, p.override_reason AS p_override_reason,"
    " p.override_at AS p_override_at";
inline constexpr char kEventColumnsOfE[] =
    "e.id, e.order_id, e.order_version, e.certificate_id, e.type, e.from_status, e.to_status,"
    " e.from_pending, e.to_pending, e.occurred_at, e.actor, e.caller, e.reason";
// ListEvents: the same and the certificate's seq (joined), last.
inline constexpr char kEventColumnsWithSeq[] =
    "e.id, e.order_id, e.order_version, e.certificate_id, e.type, e.from_status, e.to_status,"
    " e.from_pending, e.to_pending, e.occurred_at, e.actor, e.caller, e.reason, c.seq";

// Rows are read by column position, never by name: the connector looks a
// name up in a map of upper-cased names on every access. The positions
// (0-based within each list) follow the lists above; the static_asserts
// below keep the counts in step.
enum OrderColumn : int {
  kOId,
  kOExternalOrderId,
  kOProductId,
  kOValidationType,
  kOOrganization,
  kOStatus,
  kOVersion,
  kOCreatedAt,
  kOUpdatedAt,
  kOStuckSince,
  kOrderColumnCount
};
enum CertificateColumn : int {
  kCId,
  kCOrderId,
  kCSeq,
  kCKind,
  kCStatus,
  kCPending,
  kCHold,
  kCPredecessorSeq,
  kCSubmission,
  kCCsr,
  kCCommonName,
  kCAdditionalNames,
  kCDomainValidations,
  kCPeriodMonths,
  kCCaAdapter,
  kCCaReference,
  kCCaRawStatus,
  kCDcvInstructions,
  kCNotBefore,
  kCNotAfter,
  kCCertificatePem,
  kCChainPem,
  kCSerialNumber,
  kCRejectionReason,
  kCLastError,
  kCCreatedAt,
  kCertificateColumnCount
};
enum ReportColumn : int {
  kPId,
  kPCertificateId,
  kPSubmission,
  kPOverall,
  kPReportJson,
  kPCheckedAt,
  kPOverriddenBy,
  kPOverrideReason,
  kPOverrideAt,
  kReportColumnCount
};
enum EventColumn : int {
  kEId,
  kEOrderId,
  kEOrderVersion,
  kECertificateId,
  kEType,
  kEFromStatus,
  kEToStatus,
  kEFromPending,
  kEToPending,
  kEOccurredAt,
  kEActor,
  kECaller,
  kEReason,
  kEventColumnCount
};

constexpr int ColumnCount(const char* list) {
  int n = 1;
  for (const char* p = list; *p != '\0'; ++p) {
    n += *p == ',' ? 1 : 0;
  }
  return n;
}
static_assert(ColumnCount(kOrderColumnsAs) == kOrderColumnCount);
static_assert(ColumnCount(kCertificateColumnsOfC) == kCertificateColumnCount);
static_assert(ColumnCount(kReportColumnsAs) == kReportColumnCount);
static_assert(ColumnCount(kEventColumnsOfE) == kEventColumnCount);
static_assert(ColumnCount(kEventColumnsWithSeq) == kEventColumnCount + 1);
// The certificate columns BindCertificate binds, in its order.
inline constexpr char kCertificateValues[] =
    "status = ?, pending_operation = ?, hold_reason = ?, submission = ?, csr = ?,"
    " additional_names = ?, domain_validations = ?, period_months = ?, ca_reference = ?,"
    " ca_raw_status = ?, dcv_instructions = ?, not_before = ?, not_after = ?,"
    " certificate_pem = ?, chain_pem = ?, serial_number = ?, rejection_reason = ?,"
    " last_error = ?";

// "?, ?, ?" for `n` values.
std::string Placeholders(size_t n);

std::string Str(const Rows& rows, const char* column);
// By 1-based position.
std::string Str(const Rows& rows, int column);

std::optional<absl::Time> OptionalTime(const Rows& rows, int column);

void SetOptionalTime(sql::PreparedStatement& stmt, int index, std::optional<absl::Time> t);

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

// The certificate columns of a row (kCertificateColumnsOfC), the first at
// 1-based position `first`.
domain::Certificate ReadCertificate(const Rows& rows, int first);

// The prevalidation report columns of a LoadMany row (kReportColumnsAs),
// the first at 1-based position `first`.
app::PrevalidationRecord ReadReport(const Rows& rows, int first);

// Whether the row of `a` needs writing to become `b`.
bool SameRow(const domain::Certificate& a, const domain::Certificate& b);

// Column limits are in characters; cutting at a byte count on a character
// boundary always fits and never stores half a character.
std::string Truncate(const std::string& text, size_t max);

// Binds the certificate columns shared by INSERT and UPDATE (18, in the
// order of kCertificateValues) from index `first`; returns the next index.
int BindCertificate(sql::PreparedStatement& stmt, const domain::Certificate& c, int first = 1);

// `text` backwards: common_name_reversed, so a suffix search uses an index.
std::string Reverse(std::string text);

}  // namespace sslpanel::workflow::storage
