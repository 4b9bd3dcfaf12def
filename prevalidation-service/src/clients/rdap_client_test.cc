#include "clients/rdap_client.h"

#include "fake/fake_registries.h"
#include "gtest/gtest.h"

namespace sslpanel::prevalidation::clients {
namespace {

class RdapClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake::FakeRegistriesOptions options;
    options.testdata_dir = SSLPANEL_PREVALIDATION_TESTDATA;
    auto started = fake::FakeRegistries::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    fake_ = *std::move(started);
  }
  RdapClient Client(std::string base_url) {
    return RdapClient({std::move(base_url), absl::Seconds(5)}, http::NewCurlClient({}));
  }
  std::unique_ptr<fake::FakeRegistries> fake_;
};

TEST_F(RdapClientTest, RegisteredAndUnregisteredDomains) {
  RdapClient client = Client(fake_->rdap_base_url());
  absl::StatusOr<domain::DomainRegistration> found = client.LookupDomain("testbvdonald.nl");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->exists);
  EXPECT_EQ(found->registrant_name, "Test BV Donald");
  EXPECT_EQ(found->source, "RDAP (127.0.0.1:" + std::to_string(fake_->rdap_port()) + ")");

  absl::StatusOr<domain::DomainRegistration> missing = client.LookupDomain("not-registered.nl");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->exists);
  EXPECT_EQ(missing->domain, "not-registered.nl");
}

TEST_F(RdapClientTest, FailuresAreUnavailable) {
  EXPECT_EQ(Client(fake_->rdap_base_url()).LookupDomain("rdap-error.nl").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(Client("http://127.0.0.1:1").LookupDomain("testbvdonald.nl").status().code(),
            absl::StatusCode::kUnavailable);
  // The KvK fake answers a plain-text 404 here: a wrong URL, not a free domain.
  EXPECT_EQ(Client(fake_->kvk_base_url()).LookupDomain("testbvdonald.nl").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
