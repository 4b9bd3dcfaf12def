// prevalidation-service: wiring only. Reads flags into a ServiceConfig,
// builds the KvK, RDAP and phone-directory clients behind short-lived
// caches, and serves sslpanel.prevalidation.v1.PrevalidationService.
#include <memory>

#include "absl/flags/flag.h"
#include "app/caching_registries.h"
#include "app/prevalidator.h"
#include "clients/kvk_client.h"
#include "clients/phone_directory_file.h"
#include "clients/rdap_client.h"
#include "common/config/command_line.h"
#include "common/config/secret.h"
#include "common/grpc/server.h"
#include "common/grpc/server_flags.h"
#include "common/http/http.h"
#include "common/log/log.h"
#include "common/time/clock.h"
#include "grpc/service.h"
#include "service_config.h"

// Defaults point at the local fake registries, so a stray start never spends
// KvK quota; deployments set the real URLs (README.md, k8s/).
ABSL_FLAG(std::string, kvk_base_url, "http://127.0.0.1:8081/api",
          "KvK API base URL up to /api (production: https://api.kvk.nl/api)");
ABSL_FLAG(std::string, kvk_api_key_file, "",
          "file holding the KvK API key; when unset, the KVK_API_KEY environment variable");
ABSL_FLAG(std::string, kvk_ca_file, "",
          "CA bundle to verify the KvK API with (it chains to a private root)");
ABSL_FLAG(std::string, rdap_base_url, "http://127.0.0.1:8082",
          ".nl RDAP base URL (production: https://rdap.sidn.nl)");
ABSL_FLAG(std::string, phone_directory_file, "",
          "JSON telephone directory; unset: phone numbers are left to an operator");
ABSL_FLAG(absl::Duration, source_timeout, absl::Seconds(5), "deadline of each data-source call");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Minutes(5),
          "how long KvK and RDAP answers are reused; 0 disables the cache");

namespace {

namespace log = sslpanel::log;
namespace pv = sslpanel::prevalidation;

absl::StatusOr<pv::ServiceConfig> ConfigFromFlags() {
  pv::ServiceConfig config;
  config.kvk_base_url = absl::GetFlag(FLAGS_kvk_base_url);
  absl::StatusOr<std::string> key = sslpanel::config::ReadSecret(
      "--kvk_api_key_file", absl::GetFlag(FLAGS_kvk_api_key_file), "KVK_API_KEY");
  if (!key.ok()) {
    return key.status();
  }
  config.kvk_api_key = *key;
  config.kvk_ca_file = absl::GetFlag(FLAGS_kvk_ca_file);
  config.rdap_base_url = absl::GetFlag(FLAGS_rdap_base_url);
  config.phone_directory_file = absl::GetFlag(FLAGS_phone_directory_file);
  config.source_timeout = absl::GetFlag(FLAGS_source_timeout);
  config.cache_ttl = absl::GetFlag(FLAGS_cache_ttl);
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  sslpanel::grpc_util::BlockTerminationSignals();
  sslpanel::config::ParseCommandLine(
      argc, argv,
      "prevalidation-service [flags]: serves sslpanel.prevalidation.v1.PrevalidationService, "
      "checking orders against KvK, .nl RDAP and a telephone directory");
  sslpanel::grpc_util::ApplyMutexDeadlockDetectionFlag();
  auto server_config =
      sslpanel::grpc_util::ServerConfigFromFlags("prevalidation-service", "127.0.0.1:50052");
  if (!server_config.ok()) {
    log::Error("bad configuration", {{"error", server_config.status()}});
    return 2;
  }
  absl::StatusOr<pv::ServiceConfig> config = ConfigFromFlags();
  if (!config.ok()) {
    log::Error("bad configuration", {{"error", config.status()}});
    return 2;
  }

  sslpanel::SystemClock clock;
  sslpanel::http::CurlOptions kvk_tls;
  kvk_tls.ca_file = config->kvk_ca_file;
  pv::clients::KvkApiClient kvk(
      {config->kvk_base_url, config->kvk_api_key, config->source_timeout},
      std::shared_ptr<sslpanel::http::Client>(sslpanel::http::NewCurlClient(kvk_tls)));
  pv::clients::RdapClient rdap(
      {config->rdap_base_url, config->source_timeout},
      std::shared_ptr<sslpanel::http::Client>(sslpanel::http::NewCurlClient({})));
  pv::app::CachingKvkRegistry cached_kvk(kvk, clock, config->cache_ttl);
  pv::app::CachingDomainRegistry cached_rdap(rdap, clock, config->cache_ttl);
  std::unique_ptr<pv::clients::FilePhoneDirectory> phones;
  if (!config->phone_directory_file.empty()) {
    auto loaded = pv::clients::FilePhoneDirectory::Load(config->phone_directory_file);
    if (!loaded.ok()) {
      log::Error("bad configuration", {{"error", loaded.status()}});
      return 2;
    }
    phones = *std::move(loaded);
  }

  // Say plainly which sources answer: a report checked against the fakes
  // must never be mistaken for one checked against the real registers.
  log::Info("data sources", {{"kvk", kvk.source()},
                             {"kvk_base_url", config->kvk_base_url},
                             {"kvk_api_key", config->kvk_api_key.empty() ? "not set" : "set"},
                             {"rdap", rdap.source()},
                             {"rdap_base_url", config->rdap_base_url},
                             {"phone_directory",
                              phones ? phones->source() : "none (phone check left to an operator)"},
                             {"phone_numbers", phones ? static_cast<int64_t>(phones->size()) : 0},
                             {"source_timeout", config->source_timeout},
                             {"cache_ttl", config->cache_ttl}});
  if (pv::IsLoopbackUrl(config->kvk_base_url) || pv::IsLoopbackUrl(config->rdap_base_url)) {
    log::Warning(
        "using local (fake) registries: reports are NOT checked against the real KvK or "
        "SIDN",
        {{"kvk_base_url", config->kvk_base_url}, {"rdap_base_url", config->rdap_base_url}});
  } else if (config->kvk_api_key.empty()) {
    log::Warning("no KvK API key configured: the real KvK API will refuse every lookup");
  }

  pv::app::Prevalidator prevalidator(cached_kvk, cached_rdap, phones.get(), clock);
  pv::grpc::PrevalidationServiceImpl service(prevalidator, clock);
  auto host = sslpanel::grpc_util::ServerHost::Start(
      *server_config, {{&service, "sslpanel.prevalidation.v1.PrevalidationService"}});
  if (!host.ok()) {
    log::Error("cannot start", {{"error", host.status()}});
    return 1;
  }
  sslpanel::grpc_util::ServeUntilSignal(**host);
  return 0;
}
