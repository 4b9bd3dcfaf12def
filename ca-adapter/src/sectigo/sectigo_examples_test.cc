// The adapter's parsers on the contract examples (ca-adapter/sectigo/
// contract-examples/, written from the contract, not from this code): every
// sample body in every format, and the DCV values of the fixture CSR.
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "ca-adapter/src/sectigo/sectigo_dcv.h"
#include "ca-adapter/src/sectigo/sectigo_errors.h"
#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "ca-adapter/src/sectigo/sectigo_wire.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sectigo {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& relative) {
  std::ifstream in(std::string(SECTIGO_EXAMPLES_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::map<std::string, Endpoint>& Endpoints() {
  static const auto* endpoints = new std::map<std::string, Endpoint>{
      {"AutoApplySSL", Endpoint::kAutoApplySsl},
      {"CollectSSL", Endpoint::kCollectSsl},
      {"AutoReplaceSSL", Endpoint::kAutoReplaceSsl},
      {"AutoRevokeSSL", Endpoint::kAutoRevokeSsl},
      {"ResendDCVEmail", Endpoint::kResendDcvEmail},
      {"AutoUpdateDCV", Endpoint::kAutoUpdateDcv},
      {"GetDCVEmailAddressList", Endpoint::kGetDcvEmailAddressList},
      {"WebHostReport", Endpoint::kWebHostReport}};
  return *endpoints;
}

std::string Str(const json& parsed, const char* key) {
  auto it = parsed.find(key);
  return it != parsed.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Der(const std::string& pem_or_base64) {
  std::string out;
  for (char c : AsCertificatePem(pem_or_base64)) {
    if (!absl::ascii_isspace(c)) {
      out.push_back(c);
    }
  }
  return out;
}

// What an endpoint's reader makes of a successful sample body.
void CheckReader(const std::string& id, const std::string& endpoint, const Reply& reply,
                 const json& parsed) {
  SCOPED_TRACE(id);
  if (endpoint == "AutoApplySSL") {
    absl::StatusOr<ApplyResult> apply = ReadApply(reply);
    ASSERT_TRUE(apply.ok()) << apply.status();
    EXPECT_EQ(apply->order_number, Str(parsed, "orderNumber"));
    EXPECT_EQ(apply->certificate_id, Str(parsed, "certificateID"));
    EXPECT_EQ(apply->unique_value, Str(parsed, "uniqueValue"));
    EXPECT_EQ(apply->total_cost, Str(parsed, "totalCost"));
  } else if (endpoint == "AutoReplaceSSL") {
    absl::StatusOr<ReplaceResult> replace = ReadReplace(reply);
    ASSERT_TRUE(replace.ok()) << replace.status();
    EXPECT_EQ(replace->certificate_id, Str(parsed, "certificateID"));
  } else if (endpoint == "CollectSSL") {
    absl::StatusOr<CollectResult> collect = ReadCollect(reply);
    ASSERT_TRUE(collect.ok()) << collect.status();
    if (parsed.contains("notBefore")) {
      EXPECT_EQ(std::to_string(collect->not_before.value_or(-1)), Str(parsed, "notBefore"));
      EXPECT_EQ(std::to_string(collect->not_after.value_or(-1)), Str(parsed, "notAfter"));
    }
    EXPECT_EQ(Der(collect->certificate_pem), Der(Str(parsed, "certificate")));
    if (parsed.contains("caCertificate")) {
      const json& cas = parsed["caCertificate"];
      ASSERT_EQ(collect->chain_pems.size(), cas.is_array() ? cas.size() : 1u);
      for (size_t i = 0; i < collect->chain_pems.size(); ++i) {
        EXPECT_EQ(Der(collect->chain_pems[i]),
                  Der(cas.is_array() ? cas[i].get<std::string>() : cas.get<std::string>()));
      }
    }
    if (parsed.contains("certificateStatus")) {
      EXPECT_EQ(collect->RawStatus(), Str(parsed, "certificateStatus"));
    }
  } else if (endpoint == "GetDCVEmailAddressList") {
    std::vector<std::string> expected;
    for (const char* key : {"level2_email", "level3_email"}) {
      if (parsed.contains(key)) {
        for (const json& address : parsed[key]) {
          expected.push_back(address.get<std::string>());
        }
      }
    }
    EXPECT_EQ(ReadApproverEmails(reply), expected);
  } else if (endpoint == "WebHostReport") {
    absl::StatusOr<ReportResult> report = ReadWebHostReport(reply);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->matchable);
    EXPECT_EQ(std::to_string(report->total), Str(parsed, "noOfResults"));
    if (!report->rows.empty()) {
      EXPECT_EQ(report->rows[0].order_number, Str(parsed, "1_orderNumber"));
    }
  }
}

TEST(ContractExamples, EveryResponseBodyParsesAsItsExampleSays) {
  int checked = 0;
  for (const char* file :
       {"common.json", "auto_apply_ssl.json", "collect_ssl.json", "auto_replace_ssl.json",
        "auto_revoke_ssl.json", "auto_revoke_certificate.json", "auto_update_dcv.json",
        "resend_dcv_email.json", "get_dcv_email_address_list.json", "get_mdc_domain_details.json",
        "web_host_report.json"}) {
    const json doc = json::parse(ReadFile(file), nullptr, false);
    ASSERT_TRUE(doc.is_object()) << file;
    const std::string endpoint = doc.value("endpoint", "");
    for (const json& example : doc["examples"]) {
      const std::string id = example["id"];
      const json& response = example["response"];
      const json& parsed = response["parsed"];
      if (response["format"] == "json") {
        continue;  // the adapter never asks for JSON (README)
      }
      absl::StatusOr<Reply> reply = ParseReply(response["body"].get<std::string>());
      ASSERT_TRUE(reply.ok()) << id << ": " << reply.status();
      EXPECT_EQ(reply->error_code, parsed["errorCode"].get<int>()) << id;
      EXPECT_EQ(reply->url_encoded, response["format"] == "urlencoded") << id;
      if (parsed.contains("errorMessage")) {
        EXPECT_EQ(reply->error_message, Str(parsed, "errorMessage")) << id;
      }
      if (reply->url_encoded) {
        for (const auto& [key, value] : parsed.items()) {
          if (key == "errorCode") {
            continue;
          }
          if (value.is_array()) {
            EXPECT_EQ(json(reply->GetAll(key)), value) << id << " " << key;
          } else {
            EXPECT_EQ(reply->Get(key), value.get<std::string>()) << id << " " << key;
          }
        }
      }
      if (reply->error_code >= 0) {
        CheckReader(id, endpoint, *reply, parsed);
      } else if (auto known = Endpoints().find(endpoint); known != Endpoints().end()) {
        // Every error sample maps to some handling; never "OK".
        EXPECT_FALSE(
            ErrorStatus(known->second, reply->error_code, reply->error_message, absl::Minutes(1))
                .ok())
            << id;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
}

TEST(ContractExamples, TheFixtureCsrsDcvValues) {
  const json values = json::parse(ReadFile("dcv_values.json"));
  absl::StatusOr<CsrHashes> hashes = HashCsr(ReadFile(values["csr_file"]));
  ASSERT_TRUE(hashes.ok()) << hashes.status();
  EXPECT_EQ(hashes->md5, values["md5"]);
  EXPECT_EQ(hashes->sha256, values["sha256"]);
  const std::string unique = values["unique_value"];
  domain::DcvInstruction http =
      CsrHashInstruction("www.example.com", domain::DcvMethod::kHttp, *hashes, unique, "");
  EXPECT_EQ(http.http_url,
            absl::StrCat("http://www.example.com", values["http_path"].get<std::string>()));
  EXPECT_EQ(http.http_content,
            absl::StrJoin(values["http_content_lines"].get<std::vector<std::string>>(), "\n"));
  domain::DcvInstruction dns =
      CsrHashInstruction("www.example.com", domain::DcvMethod::kDns, *hashes, unique, "");
  EXPECT_EQ(dns.dns_record_name + ".", values["cname_name"]);
  EXPECT_EQ(dns.dns_record_value + ".", values["cname_target"]);
}

TEST(ContractExamples, TheForeignOrderNumberRefusalIsRecognised) {
  const json doc = json::parse(ReadFile("auto_apply_ssl.json"));
  for (const json& example : doc["examples"]) {
    if (example["id"] == "apply-fon-not-unique") {
      absl::StatusOr<Reply> reply = ParseReply(example["response"]["body"].get<std::string>());
      ASSERT_TRUE(reply.ok());
      EXPECT_TRUE(IsForeignOrderNumberTaken(reply->error_code, reply->error_message));
      return;
    }
  }
  FAIL() << "apply-fon-not-unique missing";
}

}  // namespace
}  // namespace sslpanel::ca::sectigo
