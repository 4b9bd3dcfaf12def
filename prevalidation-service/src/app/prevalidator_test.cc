#include "app/prevalidator.h"

#include <atomic>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::app {
namespace {

using domain::Outcome;
using domain::Overall;

class FakeKvk final : public KvkRegistry {
 public:
  absl::StatusOr<domain::CompanyLookup> FindCompany(const std::string& kvk_number) override {
    ++calls;
    if (!status.ok()) {
      return status;
    }
    auto it = companies.find(kvk_number);
    if (it == companies.end()) {
      return domain::CompanyLookup{std::nullopt, "fake KvK"};
    }
    return domain::CompanyLookup{it->second, "fake KvK"};
  }
  std::map<std::string, domain::Company> companies;
  absl::Status status;
  std::atomic<int> calls{0};
};

class FakeDomains final : public DomainRegistry {
 public:
  absl::StatusOr<domain::DomainRegistration> LookupDomain(const std::string& name) override {
    ++calls;
    if (!status.ok()) {
      return status;
    }
    domain::DomainRegistration registration;
    registration.domain = name;
    registration.source = "fake RDAP";
    auto it = registrants.find(name);
    if (it != registrants.end()) {
      registration.exists = true;
      registration.statuses = {"active"};
      registration.registrant_name = it->second;
    }
    return registration;
  }
  std::map<std::string, std::optional<std::string>> registrants;
  absl::Status status;
  std::atomic<int> calls{0};
};

class FakePhones final : public PhoneDirectory {
 public:
  absl::StatusOr<domain::PhoneLookup> FindNumber(const std::string& number) override {
    if (number == "+31581234567") {
      return domain::PhoneLookup{domain::PhoneListing{number, "Test BV Donald"}, "fake phones"};
    }
    return domain::PhoneLookup{std::nullopt, "fake phones"};
  }
};

domain::Company Donald() {
  domain::Company company;
  company.kvk_number = "68750110";
  company.name = company.statutory_name = "Test BV Donald";
  company.start_date = "20170519";
  company.source = "fake KvK";
  domain::CompanyAddress visiting;
  visiting.type = "bezoekadres";
  visiting.street = "Hizzaarderlaan";
  visiting.house_number = 3;
  visiting.house_number_addition = "A";
  visiting.postcode = "8823SJ";
  visiting.city = "Lollum";
  company.addresses = {visiting};
  return company;
}

domain::PrevalidationRequest Request() {
  domain::PrevalidationRequest request;
  request.validation_type = domain::ValidationType::kOv;
  request.common_name = "www.testbvdonald.nl";
  domain::Organization organization;
  organization.legal_name = "Test B.V. Donald";
  organization.kvk_number = "68750110";
  organization.house_number = "3A";
  organization.postcode = "8823sj";
  organization.city = "Lollum";
  organization.country_code = "nl";
  organization.phone = "058 123 4567";
  request.organization = organization;
  request.csr = domain::CsrSubject{"Test BV Donald", "Lollum", "NL", "www.testbvdonald.nl"};
  return request;
}

class PrevalidatorTest : public ::testing::Test {
 protected:
  PrevalidatorTest() {
    kvk_.companies["68750110"] = Donald();
    domains_.registrants["testbvdonald.nl"] = "Test BV Donald";
  }
  FakeKvk kvk_;
  FakeDomains domains_;
  FakePhones phones_;
  FakeClock clock_{absl::FromCivil(absl::CivilDay(2026, 3, 1), absl::UTCTimeZone())};
  Prevalidator prevalidator_{kvk_, domains_, &phones_, clock_};
};

const domain::CheckResult* Find(const domain::Report& report, absl::string_view code) {
  for (const domain::CheckResult& check : report.checks) {
    if (check.code == code) {
      return &check;
    }
  }
  return nullptr;
}

TEST_F(PrevalidatorTest, AllChecksPassInOrder) {
  absl::StatusOr<domain::Report> report = prevalidator_.Run(Request());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->overall, Overall::kPass);
  EXPECT_EQ(report->checked_at, clock_.Now());
  std::vector<std::string> codes;
  for (const domain::CheckResult& check : report->checks) {
    codes.push_back(check.code);
    EXPECT_EQ(check.outcome, Outcome::kPass) << check.code << ": " << check.message;
  }
  EXPECT_EQ(codes, (std::vector<std::string>{
                       "KVK_NUMBER_FORMAT", "KVK_COMPANY_FOUND", "KVK_COMPANY_ACTIVE",
                       "KVK_NAME_MATCH", "KVK_ADDRESS_MATCH", "CSR_SUBJECT_MATCH", "PHONE_LISTED",
                       "DOMAIN_EXISTS", "DOMAIN_REGISTRANT_MATCH"}));
}

TEST_F(PrevalidatorTest, UnknownCompanyFailsAndSkipsTheChecksThatNeedIt) {
  domain::PrevalidationRequest request = Request();
  request.organization->kvk_number = "12345678";
  absl::StatusOr<domain::Report> report = prevalidator_.Run(request);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->overall, Overall::kFail);
  EXPECT_EQ(Find(*report, "KVK_COMPANY_FOUND")->outcome, Outcome::kFail);
  EXPECT_EQ(Find(*report, "KVK_NAME_MATCH")->outcome, Outcome::kError);
  EXPECT_EQ(Find(*report, "KVK_ADDRESS_MATCH")->outcome, Outcome::kError);
  EXPECT_EQ(Find(*report, "DOMAIN_EXISTS")->outcome, Outcome::kPass);
}

TEST_F(PrevalidatorTest, InactiveCompanyFails) {
  kvk_.companies["68750110"].end_date = "20240101";
  absl::StatusOr<domain::Report> report = prevalidator_.Run(Request());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->overall, Overall::kFail);
  EXPECT_EQ(Find(*report, "KVK_COMPANY_ACTIVE")->outcome, Outcome::kFail);
}

TEST_F(PrevalidatorTest, UnpublishedRegistrantNeedsReview) {
  domains_.registrants["testbvdonald.nl"] = std::nullopt;
  absl::StatusOr<domain::Report> report = prevalidator_.Run(Request());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->overall, Overall::kNeedsReview);
  EXPECT_EQ(Find(*report, "DOMAIN_REGISTRANT_MATCH")->outcome, Outcome::kUnknown);
}

TEST_F(PrevalidatorTest, SourceDownIsUnavailableNotAFail) {
  for (absl::Status down :
       {absl::UnavailableError("connection refused"), absl::DeadlineExceededError("timed out")}) {
    kvk_.status = down;
    absl::StatusOr<domain::Report> report = prevalidator_.Run(Request());
    EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable) << down;
    EXPECT_NE(report.status().message().find("KvK"), std::string::npos);
  }
  kvk_.status = absl::OkStatus();
  domains_.status = absl::UnavailableError("503");
  EXPECT_EQ(prevalidator_.Run(Request()).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(PrevalidatorTest, NotApplicableAsksNoSource) {
  struct Case {
    std::function<void(domain::PrevalidationRequest&)> change;
    const char* reason_mentions;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& r) { r.validation_type = domain::ValidationType::kDv; }, "DV"},
           {[](auto& r) { r.common_name = "www.example.com"; }, ".nl"},
           {[](auto& r) { r.organization->country_code = "DE"; }, "DE"},
       }) {
    domain::PrevalidationRequest request = Request();
    c.change(request);
    absl::StatusOr<domain::Report> report = prevalidator_.Run(request);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->overall, Overall::kNotApplicable);
    EXPECT_TRUE(report->checks.empty());
    EXPECT_NE(report->not_applicable_reason.find(c.reason_mentions), std::string::npos)
        << report->not_applicable_reason;
  }
  EXPECT_EQ(kvk_.calls.load(), 0);
  EXPECT_EQ(domains_.calls.load(), 0);
}

TEST_F(PrevalidatorTest, MalformedKvkNumberIsInvalidArgumentBeforeAnyLookup) {
  domain::PrevalidationRequest request = Request();
  request.organization->kvk_number = "6875011";
  absl::StatusOr<domain::Report> report = prevalidator_.Run(request);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(report.status().message(), "organization.kvk_number"));
  EXPECT_EQ(kvk_.calls.load(), 0);
}

// The DOMAIN_* results, as (code, domain named in the message) pairs.
std::vector<std::pair<std::string, std::string>> DomainChecks(
    const domain::Report& report, const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const domain::CheckResult& check : report.checks) {
    if (!absl::StartsWith(check.code, "DOMAIN_")) {
      continue;
    }
    std::string named;
    for (const std::string& name : names) {
      if (absl::StrContains(check.message, name) && name.size() > named.size()) {
        named = name;
      }
    }
    out.emplace_back(check.code, named);
  }
  return out;
}

TEST_F(PrevalidatorTest, EveryRegisteredNlDomainOfTheOrderIsChecked) {
  domains_.registrants["donaldappels.nl"] = "Test BV Donald";
  domains_.registrants["other-company.nl"] = "Other Company B.V.";
  struct Case {
    std::vector<std::string> additional_names;
    Overall want;
    std::vector<std::pair<std::string, std::string>> want_checks;
  };
  for (const Case& c : std::vector<Case>{
           // The same registered domain twice, and a name outside .nl: one pair.
           {{"testbvdonald.nl", "*.testbvdonald.nl", "www.example.com"},
            Overall::kPass,
            {{"DOMAIN_EXISTS", "testbvdonald.nl"}, {"DOMAIN_REGISTRANT_MATCH", "testbvdonald.nl"}}},
           {{"www.donaldappels.nl"},
            Overall::kPass,
            {{"DOMAIN_EXISTS", "testbvdonald.nl"},
             {"DOMAIN_REGISTRANT_MATCH", "testbvdonald.nl"},
             {"DOMAIN_EXISTS", "donaldappels.nl"},
             {"DOMAIN_REGISTRANT_MATCH", "donaldappels.nl"}}},
           // Someone else's domain as an additional name.
           {{"www.other-company.nl"},
            Overall::kFail,
            {{"DOMAIN_EXISTS", "testbvdonald.nl"},
             {"DOMAIN_REGISTRANT_MATCH", "testbvdonald.nl"},
             {"DOMAIN_EXISTS", "other-company.nl"},
             {"DOMAIN_REGISTRANT_MATCH", "other-company.nl"}}},
           // An additional name whose domain is not registered.
           {{"shop.nobody.nl"},
            Overall::kFail,
            {{"DOMAIN_EXISTS", "testbvdonald.nl"},
             {"DOMAIN_REGISTRANT_MATCH", "testbvdonald.nl"},
             {"DOMAIN_EXISTS", "nobody.nl"},
             {"DOMAIN_REGISTRANT_MATCH", "nobody.nl"}}},
       }) {
    domain::PrevalidationRequest request = Request();
    request.additional_names = c.additional_names;
    absl::StatusOr<domain::Report> report = prevalidator_.Run(request);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->overall, c.want) << c.additional_names[0];
    EXPECT_EQ(DomainChecks(*report,
                           {"testbvdonald.nl", "donaldappels.nl", "other-company.nl", "nobody.nl"}),
              c.want_checks)
        << c.additional_names[0];
  }
}

TEST_F(PrevalidatorTest, AnotherHoldersDomainFailsNamingTheDomainAndTheHolder) {
  domains_.registrants["other-company.nl"] = "Other Company B.V.";
  domain::PrevalidationRequest request = Request();
  request.additional_names = {"www.other-company.nl"};
  absl::StatusOr<domain::Report> report = prevalidator_.Run(request);
  ASSERT_TRUE(report.ok()) << report.status();
  const domain::CheckResult* failed = nullptr;
  for (const domain::CheckResult& check : report->checks) {
    if (check.outcome == Outcome::kFail) {
      failed = &check;
    }
  }
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->code, "DOMAIN_REGISTRANT_MATCH");
  EXPECT_NE(failed->message.find("other-company.nl"), std::string::npos) << failed->message;
  EXPECT_NE(failed->message.find("Other Company B.V."), std::string::npos) << failed->message;
  EXPECT_NE(failed->evidence.find("other-company.nl"), std::string::npos) << failed->evidence;
}

TEST_F(PrevalidatorTest, DomainLookupsAreBounded) {
  domain::PrevalidationRequest request = Request();
  for (int i = 0; i < 30; ++i) {
    request.additional_names.push_back(absl::StrCat("www.extra", i, ".nl"));
    domains_.registrants[absl::StrCat("extra", i, ".nl")] = "Test BV Donald";
  }
  absl::StatusOr<domain::Report> report = prevalidator_.Run(request);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_LE(domains_.calls.load(), 20);
  // What was not looked up is never a silent pass.
  EXPECT_EQ(report->overall, Overall::kNeedsReview);
  bool mentions_the_rest = false;
  for (const domain::CheckResult& check : report->checks) {
    if (check.code == "DOMAIN_EXISTS" && check.outcome == Outcome::kUnknown) {
      mentions_the_rest =
          absl::StrContains(check.message, "11") && absl::StrContains(check.evidence, "extra29.nl");
    }
  }
  EXPECT_TRUE(mentions_the_rest);
}

TEST(PrevalidatorNoPhones, UnconfiguredPhoneSourceNeedsReview) {
  FakeKvk kvk;
  kvk.companies["68750110"] = Donald();
  FakeDomains domains;
  domains.registrants["testbvdonald.nl"] = "Test BV Donald";
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  Prevalidator prevalidator(kvk, domains, nullptr, clock);
  absl::StatusOr<domain::Report> report = prevalidator.Run(Request());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->overall, Overall::kNeedsReview);
  EXPECT_EQ(Find(*report, "PHONE_LISTED")->outcome, Outcome::kUnknown);
}

}  // namespace
}  // namespace sslpanel::prevalidation::app
