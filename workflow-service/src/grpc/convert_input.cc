// The v1 requests as the workflow's inputs: ids, new orders, edits, list
// queries, and the fingerprints of replayed requests.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "workflow-service/src/grpc/convert.h"

namespace sslpanel::workflow::grpc_api {

absl::StatusOr<int64_t> ParseId(const std::string& field, const std::string& text) {
  int64_t id = 0;
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": \"", text, "\" is not an id"));
  }
  return id;
}

absl::StatusOr<std::optional<int64_t>> ParseOptionalId(const std::string& field,
                                                       const std::string& text) {
  if (text.empty()) {
    return std::optional<int64_t>();
  }
  auto id = ParseId(field, text);
  if (!id.ok()) {
    return id.status();
  }
  return std::optional<int64_t>(*id);
}

domain::Organization FromProto(const v1::Organization& o) {
  return domain::Organization{
      o.legal_name(), o.kvk_number(), o.street(),       o.house_number(), o.house_number_addition(),
      o.postcode(),   o.city(),       o.country_code(), o.phone()};
}

absl::StatusOr<std::vector<domain::DomainValidation>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::DomainValidation>& dcv) {
  std::vector<domain::DomainValidation> out;
  for (int i = 0; i < dcv.size(); ++i) {
    std::optional<domain::DcvMethod> method = FromProto(dcv[i].method());
    if (!method.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("domain_validations[", i, "].method: required"));
    }
    out.push_back({dcv[i].host_name(), *method, dcv[i].approver_email()});
  }
  return out;
}

absl::StatusOr<app::NewOrderInput> FromProto(const v1::CreateOrderRequest& r) {
  app::NewOrderInput input;
  input.external_order_id = r.external_order_id();
  input.product_id = r.product_id();
  input.period_months = r.period_months();
  input.csr = r.csr();
  input.common_name = r.common_name();
  input.additional_names.assign(r.additional_names().begin(), r.additional_names().end());
  input.dcv_method = FromProto(r.dcv_method());
  input.approver_email = r.approver_email();
  input.organization = FromProto(r.organization());
  input.draft = r.draft();
  auto dcv = FromProto(r.domain_validations());
  if (!dcv.ok()) {
    return dcv.status();
  }
  input.domain_validations = *std::move(dcv);
  return input;
}

absl::StatusOr<app::EditInput> FromProto(const v1::UpdateOrderRequest& r) {
  app::EditInput edit;
  if (r.update_mask().paths().empty()) {
    return absl::InvalidArgumentError(
        "update_mask: name the fields to change: csr, organization, dcv_method, approver_email, "
        "domain_validations");
  }
  for (const std::string& path : r.update_mask().paths()) {
    if (path == "csr") {
      edit.csr = r.csr();
    } else if (path == "organization") {
      edit.organization = FromProto(r.organization());
    } else if (path == "dcv_method" || path == "dcvMethod") {
      edit.dcv_method = FromProto(r.dcv_method());
      if (!edit.dcv_method.has_value()) {
        return absl::InvalidArgumentError("dcv_method: required when in update_mask");
      }
    } else if (path == "approver_email" || path == "approverEmail") {
      edit.approver_email = r.approver_email();
    } else if (path == "domain_validations" || path == "domainValidations") {
      auto dcv = FromProto(r.domain_validations());
      if (!dcv.ok()) {
        return dcv.status();
      }
      edit.domain_validations = *dcv;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: \"", path,
                       "\" cannot be updated; use csr, organization, dcv_method, approver_email or "
                       "domain_validations"));
    }
  }
  return edit;
}

absl::StatusOr<app::ListQuery> FromProto(const v1::ListOrdersRequest& r, absl::Time now) {
  app::ListQuery query;
  if (r.page_size() < 0 || r.page_size() > 500) {
    return absl::InvalidArgumentError("page_size: must be 0..500 (0 means 50)");
  }
  query.limit = r.page_size() == 0 ? 50 : r.page_size();
  switch (r.order_status()) {
    case v1::ORDER_STATUS_UNSPECIFIED:
      break;
    case v1::ORDER_STATUS_OPEN:
      query.order_status = domain::OrderStatus::kOpen;
      break;
    case v1::ORDER_STATUS_CLOSED:
      query.order_status = domain::OrderStatus::kClosed;
      break;
    default:
      return absl::InvalidArgumentError("order_status: unknown value");
  }
  if (r.certificate_status() != v1::CERTIFICATE_STATUS_UNSPECIFIED) {
    domain::CertificateStatus status;
    if (!domain::Parse(absl::StripPrefix(v1::CertificateStatus_Name(r.certificate_status()),
                                         "CERTIFICATE_STATUS_"),
                       &status)) {
      return absl::InvalidArgumentError("certificate_status: unknown value");
    }
    query.certificate_status = status;
  }
  if (r.reseller_code() != v1::RESELLER_CODE_UNSPECIFIED) {
    const std::string name(
        absl::StripPrefix(v1::ResellerCode_Name(r.reseller_code()), "RESELLER_CODE_"));
    for (auto code :
         {domain::ResellerCode::kPai, domain::ResellerCode::kReq, domain::ResellerCode::kRej,
          domain::ResellerCode::kFai, domain::ResellerCode::kAct, domain::ResellerCode::kExp}) {
      if (domain::ToString(code) == name) {
        query.reseller_code = code;
      }
    }
    if (!query.reseller_code.has_value()) {
      return absl::InvalidArgumentError("reseller_code: unknown value");
    }
  }
  const std::string& pattern = r.common_name_pattern();
  if (pattern.size() > 253) {
    return absl::InvalidArgumentError("common_name_pattern: at most 253 characters");
  }
  for (unsigned char c : pattern) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "common_name_pattern: host names are ASCII (IDNs as punycode), without spaces");
    }
  }
  const size_t stars = std::count(pattern.begin(), pattern.end(), '*');
  if (stars > 1 || (stars == 1 && pattern.front() != '*' && pattern.back() != '*')) {
    return absl::InvalidArgumentError(
        "common_name_pattern: \"name\", \"prefix*\" or \"*suffix\" (one '*' at an end)");
  }
  query.common_name_pattern = pattern;
  if (r.expiring_within_days() < 0 || r.expiring_within_days() > 3650) {
    return absl::InvalidArgumentError("expiring_within_days: must be 0..3650");
  }
  if (r.expiring_within_days() > 0) {
    query.expiring_before = now + absl::Hours(24) * r.expiring_within_days();
  }
  query.stuck_only = r.stuck();
  query.now = now;
  if (!r.page_token().empty()) {
    auto before = ParsePageToken(r.page_token(), ListFilters(r));
    if (!before.ok()) {
      return before.status();
    }
    query.before_order_id = *before;
  }
  return query;
}

std::string ListFilters(const v1::ListOrdersRequest& request) {
  v1::ListOrdersRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  return Sha256Hex(DeterministicBytes(filters)).substr(0, 16);
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace sslpanel::workflow::grpc_api
