#include "ca-adapter/src/sectigo/sectigo_replies.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sslpanel::ca::sectigo {
namespace {

constexpr absl::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr absl::string_view kEnd = "-----END CERTIFICATE-----";

bool AllDigits(absl::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// Every PEM certificate block in `text`, each ending with a newline.
std::vector<std::string> PemBlocks(absl::string_view text) {
  std::vector<std::string> blocks;
  size_t at = 0;
  while ((at = text.find(kBegin, at)) != absl::string_view::npos) {
    const size_t end = text.find(kEnd, at);
    if (end == absl::string_view::npos) {
      break;
    }
    std::string block(text.substr(at, end + kEnd.size() - at));
    absl::StrReplaceAll({{"\r", ""}}, &block);
    blocks.push_back(absl::StrCat(block, "\n"));
    at = end + kEnd.size();
  }
  return blocks;
}

std::optional<int64_t> Seconds(absl::string_view text) {
  int64_t value = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return value;
  }
  return std::nullopt;
}

std::string FirstOf(const Reply& reply, std::initializer_list<absl::string_view> names) {
  for (absl::string_view name : names) {
    if (std::string value = reply.Get(name); !value.empty()) {
      return value;
    }
  }
  return "";
}

}  // namespace

std::string AsCertificatePem(const std::string& text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty()) {
    return "";
  }
  if (absl::StrContains(trimmed, kBegin)) {
    return absl::StrJoin(PemBlocks(trimmed), "");
  }
  std::string base64;
  for (char c : trimmed) {
    if (!absl::ascii_isspace(c)) {
      base64.push_back(c);
    }
  }
  std::string pem = absl::StrCat(kBegin, "\n");
  for (size_t i = 0; i < base64.size(); i += 64) {
    absl::StrAppend(&pem, base64.substr(i, 64), "\n");
  }
  absl::StrAppend(&pem, kEnd, "\n");
  return pem;
}

absl::StatusOr<ApplyResult> ReadApply(const Reply& reply) {
  ApplyResult result;
  if (reply.url_encoded) {
    result.order_number = reply.Get("orderNumber");
    result.certificate_id = reply.Get("certificateID");
    result.total_cost = reply.Get("totalCost");
    result.unique_value = reply.Get("uniqueValue");
  } else {
    // L2 orderNumber, L3 amount, L4 delivery estimate, then (when asked)
    // certificateID, certificate state, uniqueValue: their presence is not
    // certain, so the id is the first all-digit line and the unique value
    // the last line that is neither.
    const std::vector<std::string>& lines = reply.lines;
    if (!lines.empty()) {
      result.order_number = std::string(absl::StripAsciiWhitespace(lines[0]));
    }
    if (lines.size() > 1) {
      result.total_cost = std::string(absl::StripAsciiWhitespace(lines[1]));
    }
    for (size_t i = 3; i < lines.size(); ++i) {
      const absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
      if (AllDigits(line) && result.certificate_id.empty()) {
        result.certificate_id = std::string(line);
      } else if (!line.empty() && !AllDigits(line)) {
        result.unique_value = std::string(line);
      }
    }
  }
  if (!AllDigits(result.order_number)) {
    return absl::InvalidArgumentError(
        absl::StrCat("AutoApplySSL reply without an order number (\"", result.order_number, "\")"));
  }
  return result;
}

absl::StatusOr<ReplaceResult> ReadReplace(const Reply& reply) {
  ReplaceResult result;
  if (reply.url_encoded) {
    result.certificate_id = FirstOf(reply, {"certificateID", "certificateId"});
  } else {
    for (const std::string& line : reply.lines) {
      if (AllDigits(absl::StripAsciiWhitespace(line))) {
        result.certificate_id = std::string(absl::StripAsciiWhitespace(line));
        break;
      }
    }
  }
  if (!AllDigits(result.certificate_id)) {
    return absl::InvalidArgumentError("AutoReplaceSSL reply without a certificate id");
  }
  return result;
}

std::string CollectResult::RawStatus() const {
  if (!certificate_status.empty()) {
    return certificate_status;
  }
  switch (code) {
    case 2:
      return "issued";
    case 1:
      return "issued, not attached";
    default:
      return "being processed";
  }
}

absl::StatusOr<CollectResult> ReadCollect(const Reply& reply) {
  CollectResult result;
  result.code = reply.error_code;
  if (reply.url_encoded) {
    result.certificate_status = reply.Get("certificateStatus");
    result.validation_status = reply.Get("validationStatus");
    result.dcv_status = reply.Get("dcvStatus");
    if (reply.Has("notBefore")) {
      result.not_before = Seconds(reply.Get("notBefore"));
    }
    if (reply.Has("notAfter")) {
      result.not_after = Seconds(reply.Get("notAfter"));
    }
    result.certificate_pem = AsCertificatePem(reply.Get("certificate"));
    for (const std::string& ca : reply.GetAll("caCertificate")) {
      const std::string pem = AsCertificatePem(ca);
      for (std::string& block : PemBlocks(pem)) {
        result.chain_pems.push_back(std::move(block));
      }
    }
  } else {
    // code, then notBefore/notAfter (when asked), the FQDN (when asked),
    // then the certificate data: the leaf first, the chain after it.
    size_t i = 0;
    std::vector<int64_t> times;
    while (i < reply.lines.size() && times.size() < 2 &&
           AllDigits(absl::StripAsciiWhitespace(reply.lines[i]))) {
      times.push_back(*Seconds(reply.lines[i]));
      ++i;
    }
    if (times.size() == 2) {
      result.not_before = times[0];
      result.not_after = times[1];
    }
    std::vector<std::string> rest(reply.lines.begin() + static_cast<long>(i), reply.lines.end());
    std::vector<std::string> blocks = PemBlocks(absl::StrJoin(rest, "\n"));
    if (!blocks.empty()) {
      result.certificate_pem = blocks.front();
      result.chain_pems.assign(blocks.begin() + 1, blocks.end());
    }
  }
  if (result.code == 2 && result.certificate_pem.empty()) {
    return absl::InvalidArgumentError("CollectSSL answered 2 (attached) without a certificate");
  }
  return result;
}

std::vector<std::string> ReadApproverEmails(const Reply& reply) {
  std::vector<std::string> emails;
  auto add = [&emails](absl::string_view key, absl::string_view value) {
    value = absl::StripAsciiWhitespace(value);
    if (!absl::EndsWithIgnoreCase(key, "_email") || !absl::StrContains(value, '@')) {
      return;
    }
    std::string address = absl::AsciiStrToLower(value);
    if (std::find(emails.begin(), emails.end(), address) == emails.end()) {
      emails.push_back(std::move(address));
    }
  };
  if (reply.url_encoded) {
    for (const auto& [key, value] : reply.fields) {
      add(key, value);
    }
  } else {
    for (const std::string& line : reply.lines) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(line, absl::MaxSplits(absl::ByAnyChar("\t"), 1));
      add(absl::StripAsciiWhitespace(kv.first), kv.second);
    }
  }
  return emails;
}

absl::StatusOr<ReportResult> ReadWebHostReport(const Reply& reply) {
  ReportResult result;
  if (!reply.url_encoded) {
    // The newline layout of report rows is not documented: a reply with
    // rows in it cannot be read with certainty.
    for (const std::string& line : reply.lines) {
      if (!absl::StripAsciiWhitespace(line).empty() &&
          !AllDigits(absl::StripAsciiWhitespace(line))) {
        result.matchable = false;
      }
    }
    return result;
  }
  // Indexed keys, "1_orderNumber" (as GetMDCDomainDetails) or
  // "orderNumber_1".
  std::map<int, std::map<std::string, std::string>> rows;
  for (const auto& [key, value] : reply.fields) {
    std::pair<absl::string_view, absl::string_view> head =
        absl::StrSplit(key, absl::MaxSplits('_', 1));
    int index = 0;
    std::string field;
    if (absl::SimpleAtoi(head.first, &index) && !head.second.empty()) {
      field = absl::AsciiStrToLower(head.second);
    } else if (const size_t cut = key.rfind('_');
               cut != std::string::npos && absl::SimpleAtoi(key.substr(cut + 1), &index)) {
      field = absl::AsciiStrToLower(key.substr(0, cut));
    } else {
      if (absl::EqualsIgnoreCase(key, "noOfResults") ||
          absl::EqualsIgnoreCase(key, "totalResults")) {
        int64_t total = 0;
        if (absl::SimpleAtoi(value, &total)) {
          result.total = total;
        }
      }
      continue;
    }
    rows[index][field] = value;
  }
  for (auto& [index, fields] : rows) {
    auto get = [&fields](std::initializer_list<const char*> names) {
      for (const char* name : names) {
        if (auto it = fields.find(name); it != fields.end()) {
          return it->second;
        }
      }
      return std::string();
    };
    ReportRow row;
    row.order_number = get({"ordernumber"});
    row.certificate_id = get({"certificateid"});
    row.unique_value = get({"uniquevalue"});
    row.foreign_order_number = get({"foreignordernumber"});
    row.common_name = get({"commonname", "fqdn", "domainname"});
    if (!fields.count("uniquevalue") && !fields.count("foreignordernumber")) {
      result.matchable = false;
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace sslpanel::ca::sectigo
