#include "ca-adapter/sectigo-fake/src/testing/fake_fixture.h"

#include <httplib.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sslpanel::sectigo_fake::testing {

FakeCaOptions FakeStack::Manual() {
  FakeCaOptions options;
  options.validation = ValidationMode::kManual;
  return options;
}

absl::StatusOr<std::unique_ptr<FakeStack>> FakeStack::Start(FakeCaOptions options,
                                                            NetworkCheckerOptions checks,
                                                            HttpServerOptions http) {
  std::unique_ptr<FakeStack> stack(new FakeStack());
  char pattern[] = "/tmp/sectigo-fake-test.XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    return absl::InternalError("mkdtemp");
  }
  absl::StatusOr<std::unique_ptr<SandboxSigner>> signer =
      SandboxSigner::Create(pattern, stack->clock_);
  if (!signer.ok()) {
    return signer.status();
  }
  stack->signer_ = *std::move(signer);
  absl::StatusOr<NetworkChecker> checker = NetworkChecker::Create(checks);
  if (!checker.ok()) {
    return checker.status();
  }
  stack->checker_ = std::make_unique<NetworkChecker>(*std::move(checker));
  stack->fake_ =
      std::make_unique<FakeCa>(options, stack->clock_, *stack->signer_, *stack->checker_);
  if (absl::Status loaded = stack->fake_->LoadState(); !loaded.ok()) {
    return loaded;
  }
  Account account;
  account.login_name = kLogin;
  account.login_password = kPassword;
  stack->fake_->PutAccount(account);
  SandboxSigner* ca = stack->signer_.get();
  http.ca_json = [ca] {
    return nlohmann::json{{"rootPem", ca->root_pem(false)},
                          {"issuingPem", ca->issuing_pem(false)},
                          {"testRootPem", ca->root_pem(true)},
                          {"testIssuingPem", ca->issuing_pem(true)}};
  };
  absl::StatusOr<std::unique_ptr<FakeHttpServer>> server =
      FakeHttpServer::Start(http, *stack->fake_);
  if (!server.ok()) {
    return server.status();
  }
  stack->server_ = *std::move(server);
  return stack;
}

ClientReply FakeStack::Raw(const std::string& method, const std::string& path,
                           const std::string& body, double timeout_seconds) {
  httplib::Client client("127.0.0.1", port());
  const auto seconds = static_cast<time_t>(timeout_seconds);
  const auto micros = static_cast<time_t>((timeout_seconds - seconds) * 1e6);
  client.set_read_timeout(seconds, micros);
  client.set_connection_timeout(5);
  httplib::Result result =
      method == "GET"      ? client.Get(path.c_str())
      : method == "DELETE" ? client.Delete(path.c_str())
                           : client.Post(path.c_str(), body, "application/x-www-form-urlencoded");
  ClientReply reply;
  if (result) {
    reply.transport_ok = true;
    reply.status = result->status;
    reply.body = result->body;
  }
  return reply;
}

ClientReply FakeStack::Api(const std::string& path, const Pairs& form, double timeout_seconds) {
  std::string body;
  for (const auto& [name, value] : form) {
    absl::StrAppend(&body, body.empty() ? "" : "&", FormEncode(name), "=", FormEncode(value));
  }
  return Raw("POST", "/products/" + path, body, timeout_seconds);
}

nlohmann::json FakeStack::Admin(const std::string& method, const std::string& path,
                                const std::string& body) {
  ClientReply reply = Raw(method, "/fake/" + path, body);
  return nlohmann::json::parse(reply.body, nullptr, false);
}

Pairs ParseUrlEncoded(const std::string& body) {
  Pairs pairs;
  for (absl::string_view part : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    pairs.emplace_back(FormDecode(kv.first), FormDecode(kv.second));
  }
  return pairs;
}

std::string Value(const Pairs& pairs, const std::string& name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

std::string ExampleFile(const std::string& relative_path) {
  std::ifstream in(std::string(SECTIGO_EXAMPLES_DIR) + "/" + relative_path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sslpanel::sectigo_fake::testing
