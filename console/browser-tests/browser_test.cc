// Drives the console's browser tests: starts the real system (the services on
// free ports with fresh databases on the test MariaDB) and the console binary,
// brings one order into each situation the seed describes, writes what the
// API says about them to a manifest, and runs console.test.mjs (node's test
// runner, puppeteer-core, Debian's chromium) against the console. Two rounds:
// the Cancel arrow is checked while marked, Revoked and Expired once reached.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/csr.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"
#include "nlohmann/json.hpp"

namespace sslpanel::integration {
namespace {

using json = nlohmann::json;
using S = v1::CertificateStatus;

// The sandbox confirms a cancel or revocation only after this delay, so the
// Cancel arrow stays marked long enough for the first round to see it.
constexpr char kCancelDelay[] = "--cancel_delay=45s";
constexpr char kShortValidity[] = "--short_validity=10s";

json Seconds(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0 ? json(nullptr) : json(t.seconds());
}

class ConsoleBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SystemOptions options;
    options.sandbox_flags = {kCancelDelay, kShortValidity};
    auto system = System::Start(options);
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = *std::move(system);
    dir_ = testing::MakeTempDir("sslpanel-console-");
    console_ = StartConsole(system_->workflow_process().target(), "console");
    ASSERT_NE(console_, nullptr);
    // A second console whose workflow service is not there: the 503 page.
    auto dead = testing::PickFreePort();
    ASSERT_TRUE(dead.ok());
    orphan_console_ = StartConsole(absl::StrCat("127.0.0.1:", *dead), "orphan-console");
    ASSERT_NE(orphan_console_, nullptr);
  }

  std::unique_ptr<testing::Subprocess> StartConsole(const std::string& workflow,
                                                    const std::string& name) {
    const std::string port_file = dir_ + "/" + name + ".port";
    auto process = testing::Subprocess::Start(
        {SSLPANEL_CONSOLE_BIN, "--listen=127.0.0.1:0", "--port_file=" + port_file,
         "--workflow_address=" + workflow, "--call_timeout=3s"},
        dir_ + "/" + name + ".log");
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) {
      return nullptr;
    }
    auto port = testing::WaitForPortFile(port_file, **process);
    EXPECT_TRUE(port.ok()) << port.status() << (*process)->Log();
    if (!port.ok()) {
      return nullptr;
    }
    urls_[name] = absl::StrCat("http://127.0.0.1:", *port);
    return *std::move(process);
  }

  v1::WorkflowService::Stub& api() { return system_->workflow(); }

  v1::Order Create(const v1::CreateOrderRequest& request) {
    auto order = integration::Create(api(), request);
    EXPECT_TRUE(order.ok()) << order.status();
    return order.ok() ? *order : v1::Order();
  }

  v1::Order WaitFor(const v1::Order& order, int index, S status,
                    v1::PendingOperation pending = v1::PENDING_OPERATION_NONE) {
    auto reached = system_->WaitFor(
        order.order_id(),
        [&](const v1::Order& o) { return CertificateIs(o, index, status, pending); },
        absl::StrCat(order.external_order_id(), " certificate ", index, " ",
                     v1::CertificateStatus_Name(status)),
        absl::Seconds(90));
    EXPECT_TRUE(reached.ok()) << reached.status();
    return reached.ok() ? *reached : order;
  }

  v1::Order WaitForHeld(const v1::Order& order) {
    auto held = system_->WaitFor(
        order.order_id(),
        [](const v1::Order& o) {
          return o.certificates(0).hold_reason() == v1::HOLD_REASON_PREVALIDATION_FAILED;
        },
        "prevalidation failed");
    EXPECT_TRUE(held.ok()) << held.status();
    return held.ok() ? *held : order;
  }

  // The situation as the API reports it: the order and every certificate's
  // workflow graph, which the page must show.
  json Situation(const std::string& name, const v1::Order& order) {
    auto fresh = Get(api(), order.order_id());
    EXPECT_TRUE(fresh.ok()) << fresh.status();
    json certificates = json::array();
    for (const v1::Certificate& cert : fresh->certificates()) {
      auto picture = Picture(api(), fresh->order_id(), cert.certificate_id());
      EXPECT_TRUE(picture.ok()) << picture.status();
      json nodes = json::array();
      for (const v1::WorkflowNode& node : picture->nodes()) {
        nodes.push_back({{"status", v1::CertificateStatus_Name(node.status()).substr(19)},
                         {"reached", node.reached()},
                         {"current", node.current()},
                         {"entered_at", Seconds(node.entered_at())}});
      }
      json arrows = json::array();
      for (const v1::WorkflowArrow& arrow : picture->arrows()) {
        arrows.push_back({{"name", arrow.name()},
                          {"from", v1::CertificateStatus_Name(arrow.from_status()).substr(19)},
                          {"to", v1::CertificateStatus_Name(arrow.to_status()).substr(19)},
                          {"state", v1::ArrowState_Name(arrow.state()).substr(12)}});
      }
      certificates.push_back({{"certificate_id", cert.certificate_id()},
                              {"activation", Seconds(cert.activation_time())},
                              {"expiration", Seconds(cert.expiration_time())},
                              {"ca_reference", cert.ca_reference()},
                              {"ca_raw_status", cert.ca_raw_status()},
                              {"nodes", nodes},
                              {"arrows", arrows}});
    }
    return {{"name", name},
            {"order_id", fresh->order_id()},
            {"external_order_id", fresh->external_order_id()},
            {"closed", fresh->status() == v1::ORDER_STATUS_CLOSED},
            {"reseller_code", v1::ResellerCode_Name(fresh->reseller_code()).substr(14)},
            {"actions", fresh->allowed_actions_size()},
            {"legal_name", fresh->organization().legal_name()},
            {"checks", fresh->prevalidation().report().checks_size()},
            {"certificates", certificates}};
  }

  // Runs the browser tests of `round` against the manifest; their output on failure.
  void RunBrowser(const std::string& round, const json& situations) {
    const std::string manifest = dir_ + "/" + round + ".json";
    std::ofstream(manifest) << json({{"console", urls_["console"]},
                                     {"orphan_console", urls_["orphan-console"]},
                                     {"round", round},
                                     {"screenshots", SSLPANEL_CONSOLE_SCREENSHOT_DIR},
                                     {"situations", situations}})
                                   .dump(2);
    auto node = testing::Subprocess::Start(
        {"/usr/bin/env", "node", "--test", "--test-reporter=spec",
         std::string(SSLPANEL_SOURCE_DIR) + "/console/browser-tests/console.test.mjs"},
        dir_ + "/node-" + round + ".log", {"SSLPANEL_CONSOLE_MANIFEST=" + manifest});
    ASSERT_TRUE(node.ok()) << node.status();
    const absl::Time deadline = absl::Now() + absl::Minutes(4);
    while ((*node)->Running() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(100));
    }
    // Past the deadline SIGTERM first: puppeteer closes the browser it
    // started (chromium runs in its own process group, so a SIGKILL of node
    // alone would orphan it).
    absl::StatusOr<int> code =
        (*node)->Running() ? absl::StatusOr<int>(absl::DeadlineExceededError(absl::StrCat(
                                 "node did not finish within 4 minutes; terminated (",
                                 (*node)->Terminate(absl::Seconds(20)).status().ToString(), ")")))
                           : (*node)->Wait(absl::Seconds(1));
    ASSERT_TRUE(code.ok()) << code.status() << "\n" << (*node)->Log();
    EXPECT_EQ(*code, 0) << (*node)->Log();
    if (*code == 0) {
      std::cout << (*node)->Log();
    }
  }

  std::unique_ptr<System> system_;
  std::string dir_;
  std::map<std::string, std::string> urls_;
  std::unique_ptr<testing::Subprocess> console_;
  std::unique_ptr<testing::Subprocess> orphan_console_;
};

TEST_F(ConsoleBrowserTest, EverySeedSituationDrawnAsThePanelDidIt) {
  // Everything starts at once; the slow situations ripen while the first
  // round runs.
  const v1::Order held = Create(DutchOvOrder("held", "Tset B.V."));
  const v1::Order hostile = Create(DutchOvOrder("hostile", "<img src=x onerror=alert(1)>"));
  const v1::Order requested = Create(DvOrder("requested", "www.pending.requested.example.com"));
  const v1::Order cancelling = Create(DvOrder("cancelling", "www.pending.cancelling.example.com"));
  const v1::Order refused = Create(DvOrder("refused", "www.refuse.refused.example.com"));
  const v1::Order active = Create(DvOrder("active", "www.active.example.com"));
  const v1::Order revoking = Create(DvOrder("revoked", "www.revoked.example.com"));
  const v1::Order expiring = Create(DvOrder("expired", "www.shortlived.expired.example.com"));
  v1::Order chain = Create(DvOrder("chain", "www.chain.example.com"));
  const v1::Order renewing = Create(DvOrder("renewed", "www.renewed.example.com"));

  chain = WaitFor(chain, 0, S::CERTIFICATE_STATUS_ACTIVE);
  for (int i = 1; i <= 2; ++i) {
    auto reissued = Reissue(api(), chain.order_id(), absl::StrCat("reissue-chain-", i),
                            testing::MakeCsr("www.chain.example.com", {"www.chain.example.com"}));
    ASSERT_TRUE(reissued.ok()) << reissued.status();
    chain = WaitFor(*reissued, i, S::CERTIFICATE_STATUS_ACTIVE);
  }
  WaitFor(renewing, 0, S::CERTIFICATE_STATUS_ACTIVE);
  auto renewed = Renew(api(), renewing.order_id(), "renew-renewed");
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  WaitFor(*renewed, 1, S::CERTIFICATE_STATUS_ACTIVE);

  WaitFor(revoking, 0, S::CERTIFICATE_STATUS_ACTIVE);
  WaitFor(cancelling, 0, S::CERTIFICATE_STATUS_REQUESTED);
  ASSERT_TRUE(Cancel(api(), revoking.order_id(), "cancel-revoked").ok());
  ASSERT_TRUE(Cancel(api(), cancelling.order_id(), "cancel-cancelling").ok());
  // Until the CA has the cancel too, so the raw status the page shows is settled.
  auto cancel_sent = system_->WaitFor(
      cancelling.order_id(),
      [](const v1::Order& o) {
        return CertificateIs(o, 0, S::CERTIFICATE_STATUS_REQUESTED, v1::PENDING_OPERATION_CANCEL) &&
               o.certificates(0).ca_raw_status() == "cancellation-requested";
      },
      "cancel sent to the CA");
  ASSERT_TRUE(cancel_sent.ok()) << cancel_sent.status();

  // The marked Cancel first: it lasts kCancelDelay from here.
  json first = json::array();
  first.push_back(Situation("cancel-marked", *cancel_sent));
  first.push_back(Situation("open-prevalidation-failed", WaitForHeld(held)));
  first.push_back(Situation("hostile-organisation", WaitForHeld(hostile)));
  first.push_back(Situation("requested", WaitFor(requested, 0, S::CERTIFICATE_STATUS_REQUESTED)));
  first.push_back(
      Situation("rejected-closed", WaitFor(refused, 0, S::CERTIFICATE_STATUS_REJECTED)));
  first.push_back(Situation("active", WaitFor(active, 0, S::CERTIFICATE_STATUS_ACTIVE)));
  first.push_back(Situation("chain-of-three", chain));
  first.push_back(Situation("renewed", *renewed));
  RunBrowser("first", first);

  json second = json::array();
  second.push_back(Situation("revoked", WaitFor(revoking, 0, S::CERTIFICATE_STATUS_REVOKED)));
  second.push_back(Situation("expired", WaitFor(expiring, 0, S::CERTIFICATE_STATUS_EXPIRED)));
  RunBrowser("second", second);
}

}  // namespace
}  // namespace sslpanel::integration
