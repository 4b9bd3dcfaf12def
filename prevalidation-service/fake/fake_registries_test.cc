#include "fake/fake_registries.h"

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::fake {
namespace {

class FakeRegistriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeRegistriesOptions options;
    options.testdata_dir = SSLPANEL_PREVALIDATION_TESTDATA;
    options.kvk_api_key = "k";
    auto started = FakeRegistries::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    fake_ = *std::move(started);
  }

  http::Response Get(const std::string& url, std::string key = "k") {
    http::Request request;
    request.url = url;
    if (!key.empty()) {
      request.headers.emplace_back("apikey", key);
    }
    absl::StatusOr<http::Response> response = http_->Do(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : http::Response{};
  }

  std::unique_ptr<http::Client> http_ = http::NewCurlClient({});
  std::unique_ptr<FakeRegistries> fake_;
};

TEST_F(FakeRegistriesTest, ServesTheSeededCompaniesInKvkFormat) {
  EXPECT_GE(fake_->companies(), 4u);
  const http::Response search = Get(fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=68750110");
  ASSERT_EQ(search.status, 200);
  const nlohmann::json body = nlohmann::json::parse(search.body);
  EXPECT_EQ(body["totaal"], 2);
  EXPECT_EQ(body["resultaten"][1]["type"], "hoofdvestiging");
  EXPECT_EQ(body["resultaten"][1]["adres"]["binnenlandsAdres"]["plaats"], "Lollum");

  const http::Response profile = Get(fake_->kvk_base_url() + "/v1/basisprofielen/68750110");
  ASSERT_EQ(profile.status, 200);
  EXPECT_EQ(nlohmann::json::parse(profile.body)["naam"], "Test BV Donald");
}

TEST_F(FakeRegistriesTest, AnswersLikeKvkForUnknownInactiveAndBadRequests) {
  const http::Response unknown = Get(fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=12345678");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("IPD5200"), std::string::npos);
  // Deregistered companies are only found when asked for.
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=96354429").status, 404);
  EXPECT_EQ(Get(fake_->kvk_base_url() +
                "/v2/zoeken?kvkNummer=96354429&inclusiefInactieveRegistraties=true")
                .status,
            200);
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v1/basisprofielen/12345678").status, 404);
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=123").status, 400);
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v1/basisprofielen/90004973").status, 500);
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v1/basisprofielen/68750110", "").status, 401);
}

TEST_F(FakeRegistriesTest, PagesZoekenResultsWithTheCompanysBranches) {
  const std::string search =
      fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=90002490&inclusiefInactieveRegistraties=true";
  // 14 closed branches, then the legal entity and the main establishment.
  const http::Response first = Get(search);
  ASSERT_EQ(first.status, 200);
  nlohmann::json body = nlohmann::json::parse(first.body);
  EXPECT_EQ(body["totaal"], 16);
  EXPECT_EQ(body["pagina"], 1);
  EXPECT_EQ(body["resultatenPerPagina"], 10);
  ASSERT_EQ(body["resultaten"].size(), 10u);
  for (const nlohmann::json& hit : body["resultaten"]) {
    EXPECT_EQ(hit["type"], "nevenvestiging");
    EXPECT_EQ(hit["actief"], "Nee");
  }
  body = nlohmann::json::parse(Get(search + "&pagina=2").body);
  ASSERT_EQ(body["resultaten"].size(), 6u);
  EXPECT_EQ(body["resultaten"][5]["type"], "hoofdvestiging");
  EXPECT_EQ(body["resultaten"][5]["actief"], "Ja");
  body = nlohmann::json::parse(Get(search + "&resultatenPerPagina=100").body);
  EXPECT_EQ(body["resultaten"].size(), 16u);
  // Without inactive registrations the closed branches are left out.
  body = nlohmann::json::parse(Get(fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=90002490").body);
  EXPECT_EQ(body["totaal"], 2);
  EXPECT_EQ(Get(search + "&resultatenPerPagina=101").status, 400);
  EXPECT_EQ(Get(search + "&pagina=0").status, 400);
}

TEST_F(FakeRegistriesTest, ABehaviourCanHitOneEndpointOnly) {
  // Registered, but missing from the search index.
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v2/zoeken?kvkNummer=90002504").status, 404);
  EXPECT_EQ(Get(fake_->kvk_base_url() + "/v1/basisprofielen/90002504").status, 200);
}

TEST_F(FakeRegistriesTest, ServesRdapDomainObjects) {
  const http::Response found = Get(fake_->rdap_base_url() + "/domain/TestBVDonald.nl.");
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(found.Header("content-type"), "application/rdap+json");
  EXPECT_EQ(nlohmann::json::parse(found.body)["ldhName"], "testbvdonald.nl");
  const http::Response missing = Get(fake_->rdap_base_url() + "/domain/nope.nl");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["errorCode"], 404);
  EXPECT_EQ(Get(fake_->rdap_base_url() + "/domain/rdap-error.nl").status, 503);
  // A wrong base path: an RDAP 404 that is about no domain.
  const http::Response wrong_path = Get(fake_->rdap_base_url() + "/rdap/domain/nope.nl");
  EXPECT_EQ(wrong_path.status, 404);
  EXPECT_EQ(wrong_path.body.find("nope.nl"), std::string::npos);
}

TEST(FakeRegistries, RefusesAMissingTestdataDirectory) {
  FakeRegistriesOptions options;
  options.testdata_dir = "/nonexistent";
  EXPECT_FALSE(FakeRegistries::Start(options).ok());
}

}  // namespace
}  // namespace sslpanel::prevalidation::fake
