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

TEST_F(RdapClientTest, AWrongBasePathIsUnavailableNotUnregistered) {
  // The fake answers an RDAP 404 for any path that is not /domain/<name>,
  // as a real RDAP server does behind a wrong base path.
  for (const std::string& base :
       {fake_->rdap_base_url() + "/rdap", fake_->rdap_base_url() + "/v1"}) {
    absl::StatusOr<domain::DomainRegistration> lookup =
        Client(base).LookupDomain("not-registered.nl");
    EXPECT_EQ(lookup.status().code(), absl::StatusCode::kUnavailable)
        << base << ": "
        << (lookup.ok() ? "answered exists=" + std::to_string(lookup->exists)
                        : lookup.status().ToString());
  }
}

// Only an RDAP error body that says "not found" about the domain asked for
// means "not registered"; every other 404 is a source problem.
TEST(RdapClient, ReadsA404AsNotRegisteredOnlyWhenItIsAboutTheDomain) {
  struct Case {
    const char* name;
    const char* content_type;
    std::string body;
    bool not_registered;  // else UNAVAILABLE
  };
  const std::vector<Case> cases = {
      {"RDAP error naming the domain", "application/rdap+json",
       R"({"rdapConformance": ["rdap_level_0"], "errorCode": 404, "title": "Not Found",
           "description": ["Domain nobody.nl is not registered."]})",
       true},
      {"names it in the title, upper case", "application/rdap+json",
       R"({"rdapConformance": ["rdap_level_0"], "errorCode": 404, "title": "NOBODY.NL not found"})",
       true},
      {"plain JSON content type", "application/json",
       R"({"rdapConformance": ["rdap_level_0"], "errorCode": 404,
           "description": ["nobody.nl: object not found"]})",
       true},
      {"RDAP 404 about no domain", "application/rdap+json",
       R"({"rdapConformance": ["rdap_level_0"], "errorCode": 404, "title": "Not Found",
           "description": ["No RDAP object at this path."]})",
       false},
      {"RDAP 404 about another domain", "application/rdap+json",
       R"({"rdapConformance": ["rdap_level_0"], "errorCode": 404,
           "description": ["Domain shop.nobody.nl.example is not registered."]})",
       false},
      {"errorCode is not 404", "application/rdap+json",
       R"({"rdapConformance": ["rdap_level_0"], "errorCode": 400,
           "description": ["nobody.nl is not a valid query"]})",
       false},
      {"no errorCode", "application/rdap+json", R"({"description": ["nobody.nl not found"]})",
       false},
      {"HTML", "text/html", "<html><body>nobody.nl: 404 Not Found</body></html>", false},
      {"empty", "application/rdap+json", "", false},
  };
  for (const Case& c : cases) {
    auto server = http::Server::Start("127.0.0.1", 0, [&c](const http::ServerRequest&) {
      http::Response response;
      response.status = 404;
      response.headers.emplace_back("Content-Type", c.content_type);
      response.body = c.body;
      return response;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    RdapClient client({(*server)->base_url(), absl::Seconds(5)}, http::NewCurlClient({}));
    absl::StatusOr<domain::DomainRegistration> lookup = client.LookupDomain("nobody.nl");
    if (c.not_registered) {
      ASSERT_TRUE(lookup.ok()) << c.name << ": " << lookup.status();
      EXPECT_FALSE(lookup->exists) << c.name;
    } else {
      EXPECT_EQ(lookup.status().code(), absl::StatusCode::kUnavailable)
          << c.name << ": "
          << (lookup.ok() ? "read as exists=" + std::to_string(lookup->exists)
                          : lookup.status().ToString());
    }
  }
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
