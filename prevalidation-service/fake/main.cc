// fake-registries: the fake KvK API and RDAP service for local runs
// (scripts/run) and manual testing. Wiring only; see fake_registries.h.
#include <signal.h>

#include <fstream>

#include "absl/flags/flag.h"
#include "common/config/command_line.h"
#include "common/config/secret.h"
#include "common/log/log.h"
#include "fake/fake_registries.h"

ABSL_FLAG(std::string, kvk_listen, "127.0.0.1:8081", "host:port of the fake KvK API (0 = any)");
ABSL_FLAG(std::string, rdap_listen, "127.0.0.1:8082", "host:port of the fake RDAP service");
ABSL_FLAG(std::string, testdata_dir, SSLPANEL_PREVALIDATION_TESTDATA,
          "directory with kvk/ and rdap/ seed files");
ABSL_FLAG(std::string, kvk_api_key_file, "",
          "when set, the fake KvK API requires this key in the apikey header");
ABSL_FLAG(std::string, kvk_port_file, "", "write the fake KvK API's port here once serving");
ABSL_FLAG(std::string, rdap_port_file, "", "write the fake RDAP service's port here once serving");

namespace {

bool WritePortFile(const std::string& path, int port) {
  if (path.empty()) {
    return true;
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) {
      return false;
    }
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
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
      "fake-registries [flags]: the fake KvK API and RDAP service for local runs; serves until "
      "SIGTERM");
  namespace log = sslpanel::log;
  log::Configure("fake-registries", log::Level::kInfo);

  sslpanel::prevalidation::fake::FakeRegistriesOptions options;
  options.testdata_dir = absl::GetFlag(FLAGS_testdata_dir);
  options.kvk_listen = absl::GetFlag(FLAGS_kvk_listen);
  options.rdap_listen = absl::GetFlag(FLAGS_rdap_listen);
  auto key =
      sslpanel::config::ReadSecret("--kvk_api_key_file", absl::GetFlag(FLAGS_kvk_api_key_file), "");
  if (!key.ok()) {
    log::Error("bad configuration", {{"error", key.status()}});
    return 2;
  }
  options.kvk_api_key = *key;
  auto fake = sslpanel::prevalidation::fake::FakeRegistries::Start(options);
  if (!fake.ok()) {
    log::Error("cannot start", {{"error", fake.status()}});
    return 1;
  }
  if (!WritePortFile(absl::GetFlag(FLAGS_kvk_port_file), (*fake)->kvk_port()) ||
      !WritePortFile(absl::GetFlag(FLAGS_rdap_port_file), (*fake)->rdap_port())) {
    log::Error("cannot write port files");
    return 1;
  }
  log::Info("serving fake registries (fictitious test data, not the real KvK or SIDN)",
            {{"kvk_base_url", (*fake)->kvk_base_url()},
             {"rdap_base_url", (*fake)->rdap_base_url()},
             {"companies", (*fake)->companies()},
             {"domains", (*fake)->domains()},
             {"kvk_api_key_required", !options.kvk_api_key.empty()},
             {"testdata_dir", options.testdata_dir}});
  int signal = 0;
  sigwait(&signals, &signal);
  log::Info("stopping", {{"signal", signal}});
  return 0;
}
