// ca-adapter-sectigo: sslpanel.ca.v1.CaAdapterService for Sectigo's reseller
// API (shared/ca-contracts/sectigo-reseller-api.md). Wiring only.
#include "absl/flags/flag.h"
#include "ca-adapter/src/sectigo/sectigo_adapter.h"
#include "ca-adapter/src/server/adapter_main.h"

ABSL_FLAG(std::string, base_url, "https://secure.trust-provider.com/products/",
          "the reseller API's base URL, ending in '/'; endpoints are appended (!AutoApplySSL, "
          "download/CollectSSL); plain http only on loopback (the local fake)");
ABSL_FLAG(std::string, login_name, "", "the reseller account's loginName");
ABSL_FLAG(std::string, login_password_file, "",
          "file holding the account's loginPassword (else SSLPANEL_SECTIGO_PASSWORD); never "
          "logged");
ABSL_FLAG(std::string, ca_bundle, "",
          "PEM file of CA certificates to trust for the API's TLS; empty = system store");
ABSL_FLAG(absl::Duration, ca_request_timeout, absl::Seconds(30),
          "timeout of each HTTP request to the API");
ABSL_FLAG(std::string, ca_name, "Sectigo", "human name of the CA, reported by GetCapabilities");
ABSL_FLAG(std::string, default_dcv_method, "dns",
          "DCV for names without a choice: dns (CNAME_CSR_HASH), http, https or email");
ABSL_FLAG(bool, test_orders, false,
          "place orders with test=Y (not billed, untrusted chain; the account must allow it)");
ABSL_FLAG(absl::Duration, min_poll_interval, absl::Minutes(30),
          "least time between two CollectSSL calls for one order; below 30m only with "
          "--allow_fast_polling");
ABSL_FLAG(bool, allow_fast_polling, false,
          "accept --min_poll_interval below 30m (the local fake only: a real account gets -42)");
ABSL_FLAG(int, max_collect_in_flight, 1,
          "CollectSSL calls in flight per account over all replicas (MySQL named locks)");
ABSL_FLAG(absl::Duration, collect_slot_wait, absl::Seconds(2),
          "how long a status call waits for a free CollectSSL slot before RESOURCE_EXHAUSTED");
ABSL_FLAG(absl::Duration, rate_limited_backoff, absl::Minutes(5),
          "every replica holds back this long after the API answered -42 (call limit)");
ABSL_FLAG(absl::Duration, lookup_margin, absl::Minutes(15),
          "WebHostReport window around a lost call's send times when looking for its order");

namespace {

bool ParseMethod(const std::string& text, sslpanel::ca::domain::DcvMethod* method) {
  using sslpanel::ca::domain::DcvMethod;
  if (text == "dns") {
    *method = DcvMethod::kDns;
  } else if (text == "http") {
    *method = DcvMethod::kHttp;
  } else if (text == "https") {
    *method = DcvMethod::kHttps;
  } else if (text == "email") {
    *method = DcvMethod::kEmail;
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace ca = sslpanel::ca;
  return ca::server::RunAdapter(
      argc, argv,
      {"ca-adapter-sectigo", "127.0.0.1:50055", "sslpanel_ca_sectigo",
       [](sslpanel::mysql::ConnectionPool& pool, const sslpanel::Clock& clock,
          ca::app::RandomSource&,
          prometheus::Registry& metrics) -> absl::StatusOr<std::shared_ptr<ca::app::CaBackend>> {
         ca::sectigo::SectigoConfig config;
         config.base_url = absl::GetFlag(FLAGS_base_url);
         config.login_name = absl::GetFlag(FLAGS_login_name);
         config.login_password_file = absl::GetFlag(FLAGS_login_password_file);
         config.ca_bundle = absl::GetFlag(FLAGS_ca_bundle);
         config.request_timeout = absl::GetFlag(FLAGS_ca_request_timeout);
         config.allow_fast_polling = absl::GetFlag(FLAGS_allow_fast_polling);
         config.backend.ca_name = absl::GetFlag(FLAGS_ca_name);
         if (!ParseMethod(absl::GetFlag(FLAGS_default_dcv_method),
                          &config.backend.default_dcv_method)) {
           return absl::InvalidArgumentError(
               "--default_dcv_method must be dns, http, https or email");
         }
         config.backend.test_orders = absl::GetFlag(FLAGS_test_orders);
         config.backend.min_poll_interval = absl::GetFlag(FLAGS_min_poll_interval);
         config.backend.max_collect_in_flight = absl::GetFlag(FLAGS_max_collect_in_flight);
         config.backend.collect_slot_wait = absl::GetFlag(FLAGS_collect_slot_wait);
         config.backend.rate_limited_backoff = absl::GetFlag(FLAGS_rate_limited_backoff);
         config.backend.lookup_margin = absl::GetFlag(FLAGS_lookup_margin);
         return ca::sectigo::MakeSectigoBackend(config, pool, clock, metrics);
       }});
}
