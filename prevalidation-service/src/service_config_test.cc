#include "service_config.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation {
namespace {

ServiceConfig Valid() {
  ServiceConfig config;
  config.kvk_base_url = "https://api.kvk.nl/api";
  config.rdap_base_url = "https://rdap.sidn.nl";
  return config;
}

TEST(ServiceConfig, ValidationNamesTheFlag) {
  EXPECT_TRUE(Valid().Validate().ok());
  struct Case {
    std::function<void(ServiceConfig&)> spoil;
    const char* flag;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& s) { s.kvk_base_url = "api.kvk.nl"; }, "--kvk_base_url"},
           {[](auto& s) { s.rdap_base_url = "ftp://rdap.sidn.nl"; }, "--rdap_base_url"},
           {[](auto& s) { s.source_timeout = absl::ZeroDuration(); }, "--source_timeout"},
           {[](auto& s) { s.cache_ttl = absl::Seconds(-1); }, "--cache_ttl"},
       }) {
    ServiceConfig config = Valid();
    c.spoil(config);
    const absl::Status status = config.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_EQ(status.message().substr(0, std::string(c.flag).size()), c.flag) << status;
  }
}

TEST(ServiceConfig, RecognisesLocalFakes) {
  EXPECT_TRUE(IsLoopbackUrl("http://127.0.0.1:8081/api"));
  EXPECT_TRUE(IsLoopbackUrl("http://localhost:8082"));
  EXPECT_FALSE(IsLoopbackUrl("https://api.kvk.nl/api"));
}

}  // namespace
}  // namespace sslpanel::prevalidation
