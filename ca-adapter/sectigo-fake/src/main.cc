// sectigo-fake: a local Sectigo reseller API for tests and scripts/run.
// Wiring only: flags, accounts, the throw-away CAs, the DCV checker, the
// HTTP(S) server; serves until SIGTERM. See ../README.md.
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"
#include "ca-adapter/sectigo-fake/src/infra/http_server.h"
#include "ca-adapter/sectigo-fake/src/infra/network_checker.h"
#include "ca-adapter/sectigo-fake/src/infra/sandbox_signer.h"
#include "common/config/command_line.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8083", "host:port to serve on (port 0 = any)");
ABSL_FLAG(std::string, port_file, "", "write the bound port here once serving");
ABSL_FLAG(std::string, tls_cert_file, "", "serve HTTPS with this certificate (PEM)");
ABSL_FLAG(std::string, tls_key_file, "", "the key of --tls_cert_file");
ABSL_FLAG(bool, reject_plain_http, false, "answer -1 over plain HTTP, as the real API does");
ABSL_FLAG(std::vector<std::string>, accounts, {"sslpanel:sslpanel-fake-password"},
          "comma-separated loginName:loginPassword accounts (throw-away credentials)");
ABSL_FLAG(std::string, accounts_file, "", "JSON array of accounts (README.md)");
ABSL_FLAG(std::string, ca_dir, "", "directory of the throw-away CAs (default: a new temp dir)");
ABSL_FLAG(std::string, validation, "auto", "auto | check | manual (README.md)");
ABSL_FLAG(absl::Duration, auto_validate_after, absl::Seconds(2),
          "--validation=auto: names validate this long after the order");
ABSL_FLAG(std::string, dcv_http_address, "", "host:port HTTP_CSR_HASH fetches connect to");
ABSL_FLAG(std::string, dcv_https_address, "", "host:port HTTPS_CSR_HASH fetches connect to");
ABSL_FLAG(std::string, dcv_dns_server, "", "ip:port of the DNS server for CNAME_CSR_HASH");
ABSL_FLAG(absl::Duration, min_collect_interval, absl::ZeroDuration(),
          "CollectSSL for one order more often than this answers -42");
ABSL_FLAG(int, max_validity_days, 199, "longest certificate signed, in days");
ABSL_FLAG(std::string, state_file, "",
          "keep orders, accounts and billing in this JSON file across restarts (default: memory)");

namespace {

namespace sf = sslpanel::sectigo_fake;
namespace log = sslpanel::log;

absl::StatusOr<std::vector<sf::Account>> ReadAccounts() {
  std::vector<sf::Account> accounts;
  for (const std::string& entry : absl::GetFlag(FLAGS_accounts)) {
    std::pair<std::string, std::string> parts = absl::StrSplit(entry, absl::MaxSplits(':', 1));
    if (parts.first.empty() || parts.second.empty()) {
      return absl::InvalidArgumentError("--accounts entries are loginName:loginPassword");
    }
    sf::Account account;
    account.login_name = parts.first;
    account.login_password = parts.second;
    accounts.push_back(account);
  }
  const std::string file = absl::GetFlag(FLAGS_accounts_file);
  if (!file.empty()) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
    if (!in || !json.is_array()) {
      return absl::InvalidArgumentError("--accounts_file must hold a JSON array of accounts");
    }
    for (const nlohmann::json& entry : json) {
      absl::StatusOr<sf::Account> account = sf::AccountFromJson(entry);
      if (!account.ok()) {
        return account.status();
      }
      accounts.push_back(*account);
    }
  }
  return accounts;
}

absl::StatusOr<sf::FakeCaOptions> ReadOptions() {
  sf::FakeCaOptions options;
  const std::string mode = absl::GetFlag(FLAGS_validation);
  if (mode == "auto") {
    options.validation = sf::ValidationMode::kAuto;
  } else if (mode == "check") {
    options.validation = sf::ValidationMode::kCheck;
  } else if (mode == "manual") {
    options.validation = sf::ValidationMode::kManual;
  } else {
    return absl::InvalidArgumentError("--validation must be auto, check or manual");
  }
  options.auto_validate_after = absl::GetFlag(FLAGS_auto_validate_after);
  options.min_collect_interval = absl::GetFlag(FLAGS_min_collect_interval);
  options.max_validity_days = absl::GetFlag(FLAGS_max_validity_days);
  options.state_file = absl::GetFlag(FLAGS_state_file);
  return options;
}

std::string CaDir() {
  std::string dir = absl::GetFlag(FLAGS_ca_dir);
  if (dir.empty()) {
    char pattern[] = "/tmp/sectigo-fake-ca.XXXXXX";
    dir = mkdtemp(pattern) != nullptr ? pattern : "/tmp/sectigo-fake-ca";
  }
  return dir;
}

int Fail(const char* what, const absl::Status& status) {
  log::Error(what, {{"error", status}});
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  sslpanel::config::ParseCommandLine(
      argc, argv,
      "sectigo-fake [flags]: a local Sectigo reseller API (fictitious CA) for tests and local "
      "runs; serves until SIGTERM");
  log::Configure("sectigo-fake", log::Level::kInfo);

  absl::StatusOr<std::vector<sf::Account>> accounts = ReadAccounts();
  if (!accounts.ok()) {
    return Fail("bad accounts", accounts.status());
  }
  absl::StatusOr<sf::FakeCaOptions> options = ReadOptions();
  if (!options.ok()) {
    return Fail("bad configuration", options.status());
  }
  absl::StatusOr<sf::NetworkChecker> checker = sf::NetworkChecker::Create(
      {absl::GetFlag(FLAGS_dcv_http_address), absl::GetFlag(FLAGS_dcv_https_address),
       absl::GetFlag(FLAGS_dcv_dns_server)});
  if (!checker.ok()) {
    return Fail("bad configuration", checker.status());
  }
  sslpanel::SystemClock clock;
  const std::string ca_dir = CaDir();
  absl::StatusOr<std::unique_ptr<sf::SandboxSigner>> signer =
      sf::SandboxSigner::Create(ca_dir, clock);
  if (!signer.ok()) {
    return Fail("cannot load or create the CAs", signer.status());
  }
  sf::FakeCa fake(*options, clock, **signer, *checker);
  if (absl::Status loaded = fake.LoadState(); !loaded.ok()) {
    return Fail("cannot read the state file", loaded);
  }
  for (sf::Account& account : *accounts) {
    fake.PutAccount(account);
  }
  sf::HttpServerOptions http;
  std::pair<std::string, std::string> listen =
      absl::StrSplit(absl::GetFlag(FLAGS_listen), absl::MaxSplits(':', 1));
  http.host = listen.first;
  if (!absl::SimpleAtoi(listen.second, &http.port)) {
    return Fail("bad configuration", absl::InvalidArgumentError("--listen must be host:port"));
  }
  http.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  http.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  http.reject_plain_http = absl::GetFlag(FLAGS_reject_plain_http);
  sf::SandboxSigner* ca = signer->get();
  http.ca_json = [ca] {
    return nlohmann::json{{"rootPem", ca->root_pem(false)},
                          {"issuingPem", ca->issuing_pem(false)},
                          {"testRootPem", ca->root_pem(true)},
                          {"testIssuingPem", ca->issuing_pem(true)}};
  };
  absl::StatusOr<std::unique_ptr<sf::FakeHttpServer>> server =
      sf::FakeHttpServer::Start(http, fake);
  if (!server.ok()) {
    return Fail("cannot start", server.status());
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << (*server)->port() << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  log::Info("serving the fake Sectigo reseller API (fictitious CA, not Sectigo)",
            {{"base_url", (*server)->base_url() + "/products/"},
             {"accounts", accounts->size()},
             {"validation", absl::GetFlag(FLAGS_validation)},
             {"ca_dir", ca_dir}});
  int signal = 0;
  sigwait(&signals, &signal);
  log::Info("stopping", {{"signal", signal}});
  return 0;
}
