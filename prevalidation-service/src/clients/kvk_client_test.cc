#include "clients/kvk_client.h"

#include "fake/fake_registries.h"
#include "gtest/gtest.h"

namespace sslpanel::prevalidation::clients {
namespace {

class KvkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake::FakeRegistriesOptions options;
    options.testdata_dir = SSLPANEL_PREVALIDATION_TESTDATA;
    options.kvk_api_key = "test-key";
    auto started = fake::FakeRegistries::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    fake_ = *std::move(started);
  }

  KvkApiClient Client(std::string base_url, std::string key = "test-key",
                      absl::Duration timeout = absl::Seconds(5)) {
    return KvkApiClient({std::move(base_url), std::move(key), timeout}, http_);
  }

  std::shared_ptr<http::Client> http_ = http::NewCurlClient({});
  std::unique_ptr<fake::FakeRegistries> fake_;
};

TEST_F(KvkClientTest, FindsARegisteredCompany) {
  KvkApiClient client = Client(fake_->kvk_base_url());
  absl::StatusOr<domain::CompanyLookup> lookup = client.FindCompany("68750110");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  ASSERT_TRUE(lookup->company.has_value());
  EXPECT_EQ(lookup->company->name, "Test BV Donald");
  EXPECT_EQ(lookup->company->end_date, "");
  EXPECT_EQ(lookup->source, "KvK API (127.0.0.1:" + std::to_string(fake_->kvk_port()) + ")");
  EXPECT_EQ(fake_->kvk_requests(), 2);  // Zoeken, then Basisprofiel
}

TEST_F(KvkClientTest, AnUnknownNumberIsConfirmedByBasisprofiel) {
  KvkApiClient client = Client(fake_->kvk_base_url());
  absl::StatusOr<domain::CompanyLookup> lookup = client.FindCompany("12345678");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  EXPECT_FALSE(lookup->company.has_value());
  // Zoeken (no results), then Basisprofiel's own "unknown number" answer.
  EXPECT_EQ(fake_->kvk_requests(), 2);
}

TEST_F(KvkClientTest, ACompanyTheSearchDoesNotListYetIsFound) {
  // 90002504 is registered, but Zoeken answers "no results" (IPD5200).
  absl::StatusOr<domain::CompanyLookup> lookup =
      Client(fake_->kvk_base_url()).FindCompany("90002504");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  ASSERT_TRUE(lookup->company.has_value());
  EXPECT_EQ(lookup->company->name, "Test BV Gijs Gans");
}

TEST_F(KvkClientTest, AnswersThatDoNotSettleTheNumberAreUndetermined) {
  struct Case {
    const char* number;
    const char* detail_mentions;
  };
  for (const Case& c : std::vector<Case>{
           // Zoeken lists it, Basisprofiel has no profile.
           {"90002512", "Zoeken lists the number"},
           // Zoeken counts 3 results and returns none, Basisprofiel has no profile.
           {"90002520", "read 0 of 3"},
       }) {
    absl::StatusOr<domain::CompanyLookup> lookup =
        Client(fake_->kvk_base_url()).FindCompany(c.number);
    ASSERT_TRUE(lookup.ok()) << c.number << ": " << lookup.status();
    EXPECT_FALSE(lookup->company.has_value()) << c.number;
    EXPECT_TRUE(lookup->undetermined) << c.number;
    EXPECT_NE(lookup->detail.find(c.detail_mentions), std::string::npos) << lookup->detail;
    EXPECT_NE(lookup->detail.find("IPD0005"), std::string::npos) << lookup->detail;
  }
  // Both saying "unknown" is definite.
  absl::StatusOr<domain::CompanyLookup> unknown =
      Client(fake_->kvk_base_url()).FindCompany("12345678");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->undetermined);
}

TEST_F(KvkClientTest, ACompanyWithManyClosedBranchesIsFoundWithItsProfile) {
  // 90002490's first Zoeken page of 10 holds only closed branches.
  absl::StatusOr<domain::CompanyLookup> lookup =
      Client(fake_->kvk_base_url()).FindCompany("90002490");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  ASSERT_TRUE(lookup->company.has_value());
  EXPECT_EQ(lookup->company->name, "Test BV Guus Geluk");
  EXPECT_EQ(lookup->company->end_date, "");
}

TEST_F(KvkClientTest, FindsDeregisteredCompaniesToo) {
  absl::StatusOr<domain::CompanyLookup> lookup =
      Client(fake_->kvk_base_url()).FindCompany("96354429");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  ASSERT_TRUE(lookup->company.has_value());
  EXPECT_EQ(lookup->company->end_date, "20230630");
}

TEST_F(KvkClientTest, EveryFailureOfTheSourceIsUnavailable) {
  // Server error.
  absl::StatusOr<domain::CompanyLookup> error =
      Client(fake_->kvk_base_url()).FindCompany("90004973");
  EXPECT_EQ(error.status().code(), absl::StatusCode::kUnavailable) << error.status();
  EXPECT_NE(error.status().message().find("500"), std::string::npos);
  // Refused API key.
  absl::StatusOr<domain::CompanyLookup> refused =
      Client(fake_->kvk_base_url(), "wrong").FindCompany("68750110");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("API key"), std::string::npos);
  EXPECT_EQ(refused.status().message().find("wrong"), std::string::npos);  // never the key
  // A wrong base URL answers a bare 404: not "company not found".
  absl::StatusOr<domain::CompanyLookup> misconfigured =
      Client(fake_->kvk_base_url() + "/nope").FindCompany("68750110");
  EXPECT_EQ(misconfigured.status().code(), absl::StatusCode::kUnavailable);
  // Timeout.
  absl::StatusOr<domain::CompanyLookup> slow =
      Client(fake_->kvk_base_url(), "test-key", absl::Milliseconds(200)).FindCompany("90009999");
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kUnavailable) << slow.status();
}

TEST(KvkClient, NothingListeningIsUnavailable) {
  KvkApiClient client({"http://127.0.0.1:1/api", "", absl::Seconds(2)}, http::NewCurlClient({}));
  EXPECT_EQ(client.FindCompany("68750110").status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
