// The fake's behaviours over real HTTP on 127.0.0.1:0: issuance with a chain
// OpenSSL verifies, cancel before / revoke after issue, reissue, billing
// counts, the injected faults, the account-level answers, and DCV proved
// over the network (an HTTP server and pebble-challtestsrv on loopback).
#include <httplib.h>

#include <algorithm>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/sectigo-fake/src/testing/fake_fixture.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "common/testing/subprocess.h"
#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake::testing {
namespace {

const Pairs kAuth = {{"loginName", kLogin}, {"loginPassword", kPassword}};

// `base` with `extra` added; an extra parameter replaces one of the same name.
Pairs With(Pairs base, const Pairs& extra) {
  for (const auto& pair : extra) {
    auto same = std::find_if(base.begin(), base.end(),
                             [&](const auto& existing) { return existing.first == pair.first; });
    if (same != base.end()) {
      same->second = pair.second;
    } else {
      base.push_back(pair);
    }
  }
  return base;
}

std::string NewCsr(const std::string& name) {
  absl::StatusOr<ca::testing::TestCsr> csr = ca::testing::MakeCsr({name});
  EXPECT_TRUE(csr.ok()) << csr.status();
  return csr.ok() ? csr->csr_pem : "";
}

Pairs Order(const std::string& csr, const std::string& unique_value, const Pairs& extra = {}) {
  return With(With(kAuth, {{"product", "287"},
                           {"days", "365"},
                           {"serverSoftware", "-1"},
                           {"csr", csr},
                           {"dcvMethod", "CNAME_CSR_HASH"},
                           {"uniqueValue", unique_value},
                           {"showCertificateID", "Y"},
                           {"responseFormat", "1"}}),
              extra);
}

std::string Pem(const std::string& base64_der) {
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < base64_der.size(); i += 64) {
    absl::StrAppend(&pem, base64_der.substr(i, 64), "\n");
  }
  return pem + "-----END CERTIFICATE-----\n";
}

class SectigoFakeBehaviourTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(FakeStack::Manual()); }
  void Restart(FakeCaOptions options, NetworkCheckerOptions checks = {}) {
    stack_.reset();
    absl::StatusOr<std::unique_ptr<FakeStack>> stack = FakeStack::Start(options, checks);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = *std::move(stack);
  }
  // Places an order; returns its answer pairs.
  Pairs Apply(const std::string& name, const std::string& unique_value, const Pairs& extra = {}) {
    return ParseUrlEncoded(
        stack_->Api("!AutoApplySSL", Order(NewCsr(name), unique_value, extra)).body);
  }
  Pairs Collect(const std::string& order, const std::string& query_type = "1") {
    return ParseUrlEncoded(stack_
                               ->Api("download/CollectSSL", With(kAuth, {{"orderNumber", order},
                                                                         {"queryType", query_type},
                                                                         {"responseFormat", "1"}}))
                               .body);
  }
  int Applied() { return stack_->Admin("GET", "billing")["applied"].get<int>(); }
  void AddFault(const std::string& json) {
    ASSERT_TRUE(stack_->Admin("POST", "faults", json).is_array()) << json;
  }
  std::unique_ptr<FakeStack> stack_;
};

TEST_F(SectigoFakeBehaviourTest, IssuedCertificateChainVerifiesWithOpenssl) {
  Pairs order = Apply("www.shop.example", "v1");
  ASSERT_EQ(Value(order, "errorCode"), "0");
  EXPECT_EQ(Value(Collect(Value(order, "orderNumber")), "errorCode"), "0");
  ASSERT_EQ(stack_->Admin("POST", "orders/" + Value(order, "orderNumber") + "/validate")["ok"],
            true);
  Pairs issued = Collect(Value(order, "orderNumber"));
  ASSERT_EQ(Value(issued, "errorCode"), "2");
  std::vector<std::string> chain;
  for (const auto& [key, value] : issued) {
    if (key == "caCertificate") {
      chain.push_back(Pem(value));
    }
  }
  ASSERT_EQ(chain.size(), 2u);
  nlohmann::json ca = stack_->Admin("GET", "ca");
  EXPECT_EQ(chain[1], ca["rootPem"].get<std::string>());
  EXPECT_TRUE(ca::testing::VerifyCertificate(ca["rootPem"], chain[0],
                                             Pem(Value(issued, "certificate")), "www.shop.example")
                  .ok());
  // A test=Y order is signed by the test CA: it does not verify against the live root.
  Pairs test = Apply("test.shop.example", "v2", {{"test", "Y"}});
  ASSERT_EQ(Value(test, "totalCost"), "0.00");
  stack_->Admin("POST", "orders/" + Value(test, "orderNumber") + "/validate");
  Pairs test_issued = Collect(Value(test, "orderNumber"));
  const std::string leaf = Pem(Value(test_issued, "certificate"));
  EXPECT_FALSE(ca::testing::VerifyCertificate(ca["rootPem"], ca["issuingPem"], leaf).ok());
  EXPECT_TRUE(ca::testing::VerifyCertificate(ca["testRootPem"], ca["testIssuingPem"], leaf).ok());
  EXPECT_EQ(Applied(), 1);  // test orders are not billed
}

TEST_F(SectigoFakeBehaviourTest, RevokeRejectsBeforeIssueAndRevokesAfter) {
  const std::string pending = Value(Apply("a.example.org", "r1"), "orderNumber");
  const std::string issued = Value(Apply("b.example.org", "r2"), "orderNumber");
  stack_->Admin("POST", "orders/" + issued + "/validate");
  for (const std::string& order : {pending, issued}) {
    EXPECT_EQ(stack_
                  ->Api("!AutoRevokeSSL",
                        With(kAuth, {{"orderNumber", order}, {"revocationReason", "cancel"}}))
                  .body,
              "0\n");
  }
  EXPECT_EQ(Value(Collect(pending), "errorCode"), "-20");
  EXPECT_EQ(Value(Collect(issued), "errorCode"), "-21");
}

TEST_F(SectigoFakeBehaviourTest, ReplaceIssuesANewCertificateAndKeepsTheOldOne) {
  Pairs order = Apply("c.example.org", "p1");
  const std::string number = Value(order, "orderNumber");
  stack_->Admin("POST", "orders/" + number + "/validate");
  Pairs replaced =
      ParseUrlEncoded(stack_
                          ->Api("!AutoReplaceSSL", With(kAuth, {{"orderNumber", number},
                                                                {"csr", NewCsr("c.example.org")},
                                                                {"uniqueValue", "p2"}}))
                          .body);
  ASSERT_EQ(Value(replaced, "errorCode"), "0");
  EXPECT_NE(Value(replaced, "certificateID"), Value(order, "certificateID"));
  EXPECT_EQ(Value(Collect(number), "errorCode"), "0");  // the new CSR waits for DCV
  Pairs old =
      ParseUrlEncoded(stack_
                          ->Api("download/CollectSSL",
                                With(kAuth, {{"certificateID", Value(order, "certificateID")},
                                             {"queryType", "1"},
                                             {"responseFormat", "1"}}))
                          .body);
  EXPECT_EQ(Value(old, "errorCode"), "2");
  nlohmann::json billing = stack_->Admin("GET", "billing");
  EXPECT_EQ(billing["applied"], 1);
  EXPECT_EQ(billing["replaced"], 1);
}

TEST_F(SectigoFakeBehaviourTest, DroppedConnectionAfterCreationStillBillsExactlyOnce) {
  AddFault(R"({"endpoint":"AutoApplySSL","action":"drop","when":"after"})");
  ClientReply reply = stack_->Api("!AutoApplySSL", Order(NewCsr("d.example.org"), "drop1"));
  EXPECT_TRUE(!reply.transport_ok || reply.body.empty()) << reply.body;
  EXPECT_EQ(Applied(), 1);
  // The order can be found by its uniqueValue.
  Pairs report = ParseUrlEncoded(stack_->Api("!WebHostReport", kAuth).body);
  EXPECT_EQ(Value(report, "noOfResults"), "1");
  EXPECT_EQ(Value(report, "1_uniqueValue"), "drop1");
}

TEST_F(SectigoFakeBehaviourTest, SlowAnswerAfterCreationTimesTheClientOut) {
  AddFault(R"({"endpoint":"AutoApplySSL","action":"delay","when":"after","delay_ms":1500})");
  ClientReply reply = stack_->Api("!AutoApplySSL", Order(NewCsr("e.example.org"), "slow1"), 0.3);
  EXPECT_FALSE(reply.transport_ok);
  EXPECT_EQ(Applied(), 1);
}

TEST_F(SectigoFakeBehaviourTest, FaultsBeforeActingCreateNothing) {
  AddFault(R"({"endpoint":"AutoApplySSL","action":"error_code","code":-42})");
  AddFault(R"({"endpoint":"AutoApplySSL","action":"http_status","status":503})");
  AddFault(R"({"endpoint":"AutoApplySSL","action":"malformed","body":"<html>oops"})");
  const Pairs order = Order(NewCsr("f.example.org"), "f1");
  EXPECT_EQ(Value(ParseUrlEncoded(stack_->Api("!AutoApplySSL", order).body), "errorCode"), "-42");
  EXPECT_EQ(stack_->Api("!AutoApplySSL", order).status, 503);
  EXPECT_EQ(stack_->Api("!AutoApplySSL", order).body, "<html>oops");
  EXPECT_EQ(Applied(), 0);
  // The faults are used up: the next call orders.
  EXPECT_EQ(Value(ParseUrlEncoded(stack_->Api("!AutoApplySSL", order).body), "errorCode"), "0");
  EXPECT_EQ(Applied(), 1);
}

TEST_F(SectigoFakeBehaviourTest, ConcurrentCollectSslIsRefused) {
  const std::string order = Value(Apply("g.example.org", "g1"), "orderNumber");
  // Every CollectSSL is held 1.5 s: two started 0.2 s apart overlap.
  AddFault(R"({"endpoint":"CollectSSL","action":"delay","delay_ms":1500,"count":0})");
  std::string first;
  std::string second;
  std::thread one([&] { first = Value(Collect(order), "errorCode"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::thread two([&] { second = Value(Collect(order), "errorCode"); });
  one.join();
  two.join();
  std::vector<std::string> codes = {first, second};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"-42", "0"}));
  stack_->Admin("DELETE", "faults");
  EXPECT_EQ(Value(Collect(order), "errorCode"), "0");  // one at a time is fine
}

TEST_F(SectigoFakeBehaviourTest, AccountLevelAnswers) {
  stack_->Admin("POST", "accounts", R"({"loginName":"poor","loginPassword":"pw","credit":10})");
  stack_->Admin(
      "POST", "accounts",
      R"({"loginName":"unpaid","loginPassword":"pw","unpaid":true,"paymentElsewhere":true})");
  const std::string csr = NewCsr("h.example.org");
  auto order_as = [&](const std::string& login, const std::string& password) {
    Pairs form = Order(csr, login + "1");
    form[0].second = login;
    form[1].second = password;
    return ParseUrlEncoded(stack_->Api("!AutoApplySSL", form).body);
  };
  EXPECT_EQ(Value(order_as(kLogin, "wrong"), "errorCode"), "-16");
  EXPECT_EQ(Value(order_as("poor", "pw"), "errorCode"), "-15");
  Pairs unpaid = order_as("unpaid", "pw");
  EXPECT_EQ(Value(unpaid, "errorCode"), "1");  // payment collected elsewhere
  Pairs collect = ParseUrlEncoded(
      stack_
          ->Api("download/CollectSSL", {{"loginName", "unpaid"},
                                        {"loginPassword", "pw"},
                                        {"orderNumber", Value(unpaid, "orderNumber")},
                                        {"responseFormat", "1"}})
          .body);
  EXPECT_EQ(Value(collect, "errorCode"), "-22");
}

TEST_F(SectigoFakeBehaviourTest, AutoValidationIssuesAfterTheDelay) {
  FakeCaOptions options;
  options.validation = ValidationMode::kAuto;
  options.auto_validate_after = absl::Milliseconds(300);
  Restart(options);
  const std::string order = Value(Apply("i.example.org", "i1"), "orderNumber");
  EXPECT_EQ(Value(Collect(order), "errorCode"), "0");
  std::string code;
  for (int i = 0; i < 50 && code != "2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    code = Value(Collect(order), "errorCode");
  }
  EXPECT_EQ(code, "2");
}

TEST_F(SectigoFakeBehaviourTest, DcvChangeAndResendAreRecorded) {
  const std::string order = Value(Apply("j.example.org", "j1"), "orderNumber");
  stack_->Api("!GetDCVEmailAddressList", With(kAuth, {{"domainName", "j.example.org"}}));
  EXPECT_EQ(stack_
                ->Api("!AutoUpdateDCV", With(kAuth, {{"orderNumber", order},
                                                     {"newMethod", "EMAIL"},
                                                     {"newDCVEmailAddress", "admin@example.org"}}))
                .body,
            "errorCode=0");
  EXPECT_EQ(stack_->Api("!ResendDCVEmail", With(kAuth, {{"orderNumber", order}})).body,
            "errorCode=0");
  nlohmann::json view = stack_->Admin("GET", "orders/" + order);
  const nlohmann::json& certificate = view["certificates"][0];
  EXPECT_EQ(certificate["names"][0]["dcvMethod"], "EMAIL");
  EXPECT_EQ(certificate["names"][0]["dcvEmailAddress"], "admin@example.org");
  EXPECT_EQ(certificate["dcvEmailsSent"], 1);
  EXPECT_EQ(certificate["dcvHistory"].size(), 2u);
}

// --validation=check: the file fetched from a loopback HTTP server, the
// CNAME looked up at pebble-challtestsrv.
TEST_F(SectigoFakeBehaviourTest, NetworkChecksProveControl) {
  httplib::Server files;
  std::string served;
  files.Get(R"(/\.well-known/pki-validation/.*)",
            [&](const httplib::Request& request, httplib::Response& response) {
              response.set_content(served, "text/plain");
            });
  const int http_port = files.bind_to_any_port("127.0.0.1");
  std::thread file_thread([&] { files.listen_after_bind(); });
  for (int i = 0; i < 5000 && !files.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  absl::StatusOr<int> dns_port = sslpanel::testing::PickFreePort();
  absl::StatusOr<int> management_port = sslpanel::testing::PickFreePort();
  ASSERT_TRUE(dns_port.ok() && management_port.ok());
  absl::StatusOr<std::unique_ptr<sslpanel::testing::Subprocess>> challtestsrv =
      sslpanel::testing::Subprocess::Start(
          {"/usr/bin/pebble-challtestsrv", "-dns01", absl::StrCat("127.0.0.1:", *dns_port),
           "-http01", "", "-https01", "", "-tlsalpn01", "", "-management",
           absl::StrCat("127.0.0.1:", *management_port)},
          sslpanel::testing::MakeTempDir("challtestsrv") + "/log");
  ASSERT_TRUE(challtestsrv.ok()) << challtestsrv.status();
  FakeCaOptions options;
  options.validation = ValidationMode::kCheck;
  Restart(options,
          {absl::StrCat("127.0.0.1:", http_port), "", absl::StrCat("127.0.0.1:", *dns_port)});

  // HTTP_CSR_HASH: nothing served → pending; the right file → issued.
  const std::string http_order =
      Value(Apply("k.example.org", "k1", {{"dcvMethod", "HTTP_CSR_HASH"}}), "orderNumber");
  EXPECT_EQ(Value(Collect(http_order), "errorCode"), "0");
  nlohmann::json name = stack_->Admin("GET", "orders/" + http_order)["certificates"][0]["names"][0];
  served = name["fileContent"].get<std::string>() + "\n";
  EXPECT_EQ(Value(Collect(http_order), "errorCode"), "2");

  // CNAME_CSR_HASH at the parent domain.
  const std::string dns_order = Value(Apply("www.l.example.org", "l1"), "orderNumber");
  EXPECT_EQ(Value(Collect(dns_order), "errorCode"), "0");
  name = stack_->Admin("GET", "orders/" + dns_order)["certificates"][0]["names"][0];
  std::string host = name["cnameName"].get<std::string>();
  host = host.substr(0, host.find('.')) + ".l.example.org.";
  httplib::Client management("127.0.0.1", *management_port);
  nlohmann::json cname = {{"host", host}, {"target", name["cnameTarget"]}};
  bool set = false;
  for (int i = 0; i < 50 && !set; ++i) {  // until challtestsrv listens
    httplib::Result result = management.Post("/set-cname", cname.dump(), "application/json");
    set = result && result->status == 200;
    if (!set) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_TRUE(set);
  std::string code;
  for (int i = 0; i < 20 && code != "2"; ++i) {  // the DNS server may need a moment
    code = Value(Collect(dns_order), "errorCode");
    if (code != "2") {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(code, "2");
  files.stop();
  file_thread.join();
}

TEST(SectigoFakeStateFileTest, ARestartedFakeKeepsOrdersAndBilling) {
  FakeCaOptions options = FakeStack::Manual();
  options.state_file = sslpanel::testing::MakeTempDir("sectigo-fake-state") + "/state.json";
  std::string order;
  {
    absl::StatusOr<std::unique_ptr<FakeStack>> first = FakeStack::Start(options);
    ASSERT_TRUE(first.ok()) << first.status();
    Pairs answer =
        ParseUrlEncoded((*first)->Api("!AutoApplySSL", Order(NewCsr("m.example.org"), "m1")).body);
    order = Value(answer, "orderNumber");
    ASSERT_FALSE(order.empty());
    ASSERT_EQ((*first)->Admin("POST", "orders/" + order + "/validate")["ok"], true);
  }
  absl::StatusOr<std::unique_ptr<FakeStack>> second = FakeStack::Start(options);
  ASSERT_TRUE(second.ok()) << second.status();
  Pairs collected = ParseUrlEncoded(
      (*second)
          ->Api("download/CollectSSL",
                With(kAuth, {{"orderNumber", order}, {"queryType", "1"}, {"responseFormat", "1"}}))
          .body);
  EXPECT_EQ(Value(collected, "errorCode"), "2");
  EXPECT_FALSE(Value(collected, "certificate").empty());
  EXPECT_EQ((*second)->Admin("GET", "billing")["applied"], 1);
  Pairs next =
      ParseUrlEncoded((*second)->Api("!AutoApplySSL", Order(NewCsr("n.example.org"), "n1")).body);
  EXPECT_NE(Value(next, "orderNumber"), order);
  EXPECT_EQ((*second)->Admin("GET", "billing")["applied"], 2);
}

TEST(SectigoFakeTlsTest, ServesHttpsAndRefusesPlainHttpWhenAsked) {
  const std::string dir = sslpanel::testing::MakeTempDir("sectigo-fake-tls");
  absl::StatusOr<ca::testing::TlsServerFiles> files = ca::testing::WriteTlsServerFiles(dir);
  ASSERT_TRUE(files.ok()) << files.status();
  SystemClock clock;
  absl::StatusOr<std::unique_ptr<SandboxSigner>> signer = SandboxSigner::Create(dir + "/ca", clock);
  absl::StatusOr<NetworkChecker> checker = NetworkChecker::Create({});
  ASSERT_TRUE(signer.ok() && checker.ok());
  FakeCa fake(FakeStack::Manual(), clock, **signer, *checker);
  Account account;
  account.login_name = kLogin;
  account.login_password = kPassword;
  fake.PutAccount(account);
  const std::string wrong_login = "loginName=sslpanel&loginPassword=wrong";

  HttpServerOptions tls;
  tls.tls_cert_file = files->cert_path;
  tls.tls_key_file = files->key_path;
  absl::StatusOr<std::unique_ptr<FakeHttpServer>> https = FakeHttpServer::Start(tls, fake);
  ASSERT_TRUE(https.ok()) << https.status();
  EXPECT_EQ((*https)->base_url().substr(0, 8), "https://");
  httplib::SSLClient client("127.0.0.1", (*https)->port());
  client.set_ca_cert_path(files->ca_cert_path.c_str());
  client.enable_server_certificate_verification(true);
  httplib::Result answer =
      client.Post("/products/!AutoApplySSL", wrong_login, "application/x-www-form-urlencoded");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->body, "-16\nPermission denied!\n");

  HttpServerOptions plain;
  plain.reject_plain_http = true;
  absl::StatusOr<std::unique_ptr<FakeHttpServer>> http = FakeHttpServer::Start(plain, fake);
  ASSERT_TRUE(http.ok()) << http.status();
  httplib::Client plain_client("127.0.0.1", (*http)->port());
  httplib::Result refused = plain_client.Post("/products/!AutoApplySSL", wrong_login,
                                              "application/x-www-form-urlencoded");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->body.substr(0, 3), "-1\n");
}

TEST(SectigoFakeBinaryTest, StartsServesAndStopsOnSigterm) {
  const std::string dir = sslpanel::testing::MakeTempDir("sectigo-fake-bin");
  absl::StatusOr<std::unique_ptr<sslpanel::testing::Subprocess>> process =
      sslpanel::testing::Subprocess::Start(
          {SECTIGO_FAKE_BIN, "--listen=127.0.0.1:0", "--port_file=" + dir + "/port",
           "--ca_dir=" + dir + "/ca"},
          dir + "/log");
  ASSERT_TRUE(process.ok()) << process.status();
  absl::StatusOr<int> port = sslpanel::testing::WaitForPortFile(dir + "/port", **process);
  ASSERT_TRUE(port.ok()) << port.status() << (*process)->Log();
  httplib::Client client("127.0.0.1", *port);
  httplib::Result health = client.Get("/fake/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  httplib::Result login =
      client.Post("/products/!AutoApplySSL", "loginName=sslpanel&loginPassword=wrong",
                  "application/x-www-form-urlencoded");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->body.substr(0, 4), "-16\n");
  absl::StatusOr<int> exit_code = (*process)->Terminate(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok());
  EXPECT_EQ(*exit_code, 0);
  EXPECT_EQ((*process)->Log().find("wrong"), std::string::npos);  // no password logged
}

}  // namespace
}  // namespace sslpanel::sectigo_fake::testing
