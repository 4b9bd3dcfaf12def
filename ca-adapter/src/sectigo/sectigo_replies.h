// What each endpoint's successful reply carries, read from either format
// (sectigo_wire.h). Readings the contract marks unconfirmed are tolerant:
// keys compared case-insensitively, certificates as PEM or bare base64,
// optional lines skipped when absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ca-adapter/src/sectigo/sectigo_wire.h"

namespace sslpanel::ca::sectigo {

// AutoApplySSL (code 0: paid from the balance; 1: paid elsewhere).
struct ApplyResult {
  std::string order_number;
  std::string certificate_id;  // "" unless the CA showed it
  std::string total_cost;
  std::string unique_value;  // echoed, when present
};
absl::StatusOr<ApplyResult> ReadApply(const Reply& reply);

// AutoReplaceSSL: the replacement's certificate id.
struct ReplaceResult {
  std::string certificate_id;
};
absl::StatusOr<ReplaceResult> ReadReplace(const Reply& reply);

// CollectSSL for a reply with code >= 0 (2 attached, 1 available, 0 being
// processed; negative codes are states the caller maps: -20, -21).
struct CollectResult {
  int code = 0;
  std::string certificate_status;  // certificateStatus, when given
  std::string validation_status;
  std::string dcv_status;
  std::optional<int64_t> not_before;  // Unix seconds
  std::optional<int64_t> not_after;
  std::string certificate_pem;          // leaf, "" until attached
  std::vector<std::string> chain_pems;  // as sent (may include the root)
  // The raw status to keep: certificateStatus when given, else the code's
  // meaning ("issued", "available", "being processed").
  std::string RawStatus() const;
};
absl::StatusOr<CollectResult> ReadCollect(const Reply& reply);

// GetDCVEmailAddressList: the addresses offered, in the CA's order,
// without duplicates (text "key<TAB>value" lines or URL-encoded keys
// ending in "_email").
std::vector<std::string> ReadApproverEmails(const Reply& reply);

// WebHostReport: one row per order listed. Fields the contract does not
// confirm are read by several names; `complete` says whether every row
// carried a field the adapter can match on (uniqueValue or
// foreignOrderNumber): without it a lookup cannot decide.
struct ReportRow {
  std::string order_number;
  std::string certificate_id;
  std::string unique_value;
  std::string foreign_order_number;
  std::string common_name;
};
struct ReportResult {
  std::vector<ReportRow> rows;
  bool matchable = true;
  // Rows the CA says exist in total (noOfResults / totalResults), or -1.
  int64_t total = -1;
};
absl::StatusOr<ReportResult> ReadWebHostReport(const Reply& reply);

// Wraps bare base64 in PEM armour; PEM text passes through (normalised to
// end with a newline). Empty stays empty.
std::string AsCertificatePem(const std::string& text);

}  // namespace sslpanel::ca::sectigo
