// The contract examples (ca-adapter/sectigo/contract-examples) replayed
// against the fake over real HTTP: each example on a fresh fake with its
// `given` state, the answer checked against the example's `match`. Also
// checks that every example's own sample body satisfies its match, so the
// examples the adapter's parsers read agree with what the fake serves.
#include <dirent.h>

#include <algorithm>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ca-adapter/sectigo-fake/src/testing/fake_fixture.h"
#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake::testing {
namespace {

using Vars = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> ExampleFiles() {
  std::vector<std::string> files;
  DIR* dir = opendir(SECTIGO_EXAMPLES_DIR);
  for (dirent* entry = dir ? readdir(dir) : nullptr; entry != nullptr; entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json" && name != "dcv_values.json") {
      files.push_back(name);
    }
  }
  if (dir != nullptr) {
    closedir(dir);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Substitute(const std::string& text, const Vars& vars) {
  std::string out = text;
  for (const auto& [name, value] : vars) {
    out = absl::StrReplaceAll(out, {{"${" + name + "}", value}});
  }
  return out;
}

// The order every `given` state starts from.
Pairs GivenOrder() {
  return {{"loginName", kLogin},
          {"loginPassword", kPassword},
          {"product", "287"},
          {"days", "365"},
          {"serverSoftware", "-1"},
          {"csr", ExampleFile("fixtures/www.example.com.csr.pem")},
          {"dcvMethod", "CNAME_CSR_HASH"},
          {"uniqueValue", "u1abc"},
          {"foreignOrderNumber", "sslpanel-fon-1"},
          {"showCertificateID", "Y"},
          {"responseFormat", "1"}};
}

// Sets up `given` on `stack`; adds orderNumber / certificateID to `vars`.
void Given(FakeStack& stack, const std::string& given, Vars& vars) {
  const Pairs auth = {{"loginName", kLogin}, {"loginPassword", kPassword}};
  if (given == "listed" || given == "listed-pending") {
    Pairs form = auth;
    form.push_back({"domainName", "www.example.com"});
    ASSERT_EQ(stack.Api("!GetDCVEmailAddressList", form).body.substr(0, 2), "0\n");
  }
  if (given == "nothing" || given == "listed") {
    return;
  }
  Pairs answer = ParseUrlEncoded(stack.Api("!AutoApplySSL", GivenOrder()).body);
  ASSERT_EQ(Value(answer, "errorCode"), "0");
  const std::string order = Value(answer, "orderNumber");
  vars.push_back({"orderNumber", order});
  vars.push_back({"certificateID", Value(answer, "certificateID")});
  if (given == "issued" || given == "revoked") {
    ASSERT_EQ(stack.Admin("POST", "orders/" + order + "/validate")["ok"], true);
  }
  if (given == "rejected" || given == "revoked") {
    Pairs form = auth;
    form.push_back({"orderNumber", order});
    form.push_back({"revocationReason", "test"});
    ASSERT_EQ(stack.Api("!AutoRevokeSSL", form).body, "0\n");
  }
}

bool FullMatch(const std::string& text, const std::string& pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// Checks `body` (in `format`) against `match`; the failures, one per line.
std::string Mismatches(const std::string& body, const std::string& format,
                       const nlohmann::json& match, const Vars& vars) {
  std::string problems;
  if (match.contains("lines")) {
    std::vector<std::string> lines = absl::StrSplit(body, '\n');
    if (!lines.empty() && lines.back().empty()) {
      lines.pop_back();
    }
    const auto& want = match["lines"];
    const bool more = match.value("more_lines", false);
    if (lines.size() < want.size() || (!more && lines.size() != want.size())) {
      absl::StrAppend(&problems, "has ", lines.size(), " lines, want ", want.size(), "\n");
    }
    for (size_t i = 0; i < want.size() && i < lines.size(); ++i) {
      const std::string pattern = Substitute(want[i].get<std::string>(), vars);
      if (!FullMatch(lines[i], pattern)) {
        absl::StrAppend(&problems, "line ", i + 1, " '", lines[i], "' !~ ", pattern, "\n");
      }
    }
  }
  if (match.contains("fields")) {
    std::vector<std::pair<std::string, std::string>> fields;
    if (format == "json") {
      nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
      for (auto it = json.begin(); json.is_object() && it != json.end(); ++it) {
        fields.push_back({it.key(), it->is_string() ? it->get<std::string>() : it->dump()});
      }
    } else {
      fields = ParseUrlEncoded(body);
    }
    for (auto it = match["fields"].begin(); it != match["fields"].end(); ++it) {
      std::vector<std::string> got;
      for (const auto& [key, value] : fields) {
        if (key == it.key()) {
          got.push_back(value);
        }
      }
      std::vector<std::string> want;
      if (it->is_array()) {
        for (const auto& pattern : *it) {
          want.push_back(pattern.get<std::string>());
        }
        if (got.size() != want.size()) {
          absl::StrAppend(&problems, it.key(), " appears ", got.size(), " times, want ",
                          want.size(), "\n");
          continue;
        }
      } else {
        want.push_back(it->get<std::string>());
        if (got.empty()) {
          absl::StrAppend(&problems, "no ", it.key(), "\n");
          continue;
        }
      }
      for (size_t i = 0; i < want.size(); ++i) {
        if (!FullMatch(got[i], Substitute(want[i], vars))) {
          absl::StrAppend(&problems, it.key(), " '", got[i], "' !~ ", want[i], "\n");
        }
      }
    }
    for (const auto& absent : match.value("absent", nlohmann::json::array())) {
      if (!Value(fields, absent.get<std::string>()).empty()) {
        absl::StrAppend(&problems, absent.get<std::string>(), " should be absent\n");
      }
    }
  }
  return problems;
}

class SectigoFakeConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SectigoFakeConformanceTest, FakeAnswersAsTheExamplesSay) {
  const nlohmann::json file = nlohmann::json::parse(ExampleFile(GetParam()));
  ASSERT_FALSE(file["examples"].empty());
  for (const nlohmann::json& example : file["examples"]) {
    SCOPED_TRACE(example["id"].get<std::string>());
    absl::StatusOr<std::unique_ptr<FakeStack>> stack = FakeStack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    const long now = absl::ToUnixSeconds(absl::Now());
    Vars vars = {{"login", kLogin},
                 {"password", kPassword},
                 {"csr", ExampleFile("fixtures/www.example.com.csr.pem")},
                 {"csr_weak", ExampleFile("fixtures/weak-rsa1024.csr.pem")},
                 {"csr_wildcard", ExampleFile("fixtures/wildcard.example.com.csr.pem")},
                 {"now", absl::StrCat(now)},
                 {"hour_ago", absl::StrCat(now - 3600)},
                 {"hour_ahead", absl::StrCat(now + 3600)}};
    Given(**stack, example["given"], vars);
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
    const nlohmann::json& request = example["request"];
    std::string body;
    for (const auto& pair : request["form"]) {
      absl::StrAppend(&body, body.empty() ? "" : "&", FormEncode(pair[0].get<std::string>()), "=",
                      FormEncode(Substitute(pair[1].get<std::string>(), vars)));
    }
    ClientReply reply = (*stack)->Raw(request["method"], request["path"], body);
    ASSERT_TRUE(reply.transport_ok);
    const nlohmann::json& response = example["response"];
    EXPECT_EQ(reply.status, response["status"].get<int>());
    EXPECT_EQ(Mismatches(reply.body, response["format"], response["match"], vars), "")
        << "body:\n"
        << reply.body;
  }
}

TEST_P(SectigoFakeConformanceTest, EverySampleBodySatisfiesItsOwnMatch) {
  const nlohmann::json file = nlohmann::json::parse(ExampleFile(GetParam()));
  for (const nlohmann::json& example : file["examples"]) {
    SCOPED_TRACE(example["id"].get<std::string>());
    const nlohmann::json& response = example["response"];
    // Placeholders in a match stand for the live order; take the sample's.
    Vars vars;
    for (const char* name : {"orderNumber", "certificateID"}) {
      const std::string key = absl::StrCat("1_", name);
      if (response["parsed"].contains(key)) {
        vars.push_back({name, response["parsed"][key].get<std::string>()});
      }
    }
    EXPECT_EQ(Mismatches(response["body"], response["format"], response["match"], vars), "");
    EXPECT_EQ(
        response["parsed"]["errorCode"].get<int>(),
        std::stoi(
            response["format"] == "urlencoded"
                ? Value(ParseUrlEncoded(response["body"]), "errorCode")
            : response["format"] == "json"
                ? nlohmann::json::parse(response["body"].get<std::string>())["errorCode"].dump()
                : response["body"].get<std::string>().substr(
                      0, response["body"].get<std::string>().find('\n'))));
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, SectigoFakeConformanceTest, ::testing::ValuesIn(ExampleFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return absl::StrReplaceAll(info.param, {{".json", ""}});
                         });

TEST(SectigoFakeConformanceFilesTest, EveryEndpointHasExamplesAndIdsAreUnique) {
  std::set<std::string> ids;
  std::set<std::string> endpoints;
  for (const std::string& name : ExampleFiles()) {
    const nlohmann::json file = nlohmann::json::parse(ExampleFile(name));
    endpoints.insert(file["endpoint"].get<std::string>());
    for (const nlohmann::json& example : file["examples"]) {
      EXPECT_TRUE(ids.insert(example["id"].get<std::string>()).second) << example["id"];
    }
  }
  for (const std::string& endpoint : EndpointNames()) {
    EXPECT_TRUE(endpoints.count(endpoint)) << endpoint << " has no examples";
  }
}

}  // namespace
}  // namespace sslpanel::sectigo_fake::testing
