#include "domain/validation.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

Organization Donald() {
  Organization organization;
  organization.legal_name = "Test BV Donald";
  organization.kvk_number = "68750110";
  organization.street = "Hizzaarderlaan";
  organization.house_number = "3";
  organization.house_number_addition = "A";
  organization.postcode = "8823 SJ";
  organization.city = "Lollum";
  organization.country_code = "NL";
  organization.phone = "+31 58 123 4567";
  return organization;
}

PrevalidationRequest OvRequest() {
  PrevalidationRequest request;
  request.validation_type = ValidationType::kOv;
  request.common_name = "www.testbvdonald.nl";
  request.organization = Donald();
  return request;
}

// The field named at the start of the error message, e.g. "common_name".
std::string Field(const absl::Status& status) {
  const std::string message(status.message());
  return message.substr(0, message.find(':'));
}

TEST(ValidateRequest, AcceptsAWellFormedRequest) {
  PrevalidationRequest request = OvRequest();
  request.additional_names = {"testbvdonald.nl"};
  absl::StatusOr<ValidatedNames> names = ValidateRequest(request);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->common_name.ascii, "www.testbvdonald.nl");
  ASSERT_EQ(names->additional_names.size(), 1u);
}

TEST(ValidateRequest, NamesTheBadField) {
  struct Case {
    std::function<void(PrevalidationRequest&)> spoil;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& r) { r.validation_type = ValidationType::kUnspecified; }, "validation_type"},
           {[](auto& r) { r.common_name = ""; }, "common_name"},
           {[](auto& r) { r.common_name = "www..nl"; }, "common_name"},
           {[](auto& r) {
              r.additional_names = {"ok.nl", "bad name.nl"};
            },
            "additional_names[1]"},
           {[](auto& r) { r.organization.reset(); }, "organization"},
           {[](auto& r) { r.organization->country_code = ""; }, "organization.country_code"},
           {[](auto& r) { r.organization->country_code = "NLD"; }, "organization.country_code"},
       }) {
    PrevalidationRequest request = OvRequest();
    c.spoil(request);
    absl::StatusOr<ValidatedNames> names = ValidateRequest(request);
    ASSERT_FALSE(names.ok()) << c.field;
    EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Field(names.status()), c.field) << names.status();
  }
}

TEST(ValidateRequest, DvNeedsNoOrganisation) {
  PrevalidationRequest request = OvRequest();
  request.validation_type = ValidationType::kDv;
  request.organization.reset();
  EXPECT_TRUE(ValidateRequest(request).ok());
}

TEST(ValidateDutchOrganization, NormalizesTheFields) {
  absl::StatusOr<DutchOrganization> organization = ValidateDutchOrganization(Donald());
  ASSERT_TRUE(organization.ok()) << organization.status();
  EXPECT_EQ(organization->kvk_number, "68750110");
  EXPECT_EQ(organization->postcode, "8823SJ");
  EXPECT_EQ(organization->house_number.number, 3);
  EXPECT_EQ(organization->house_number.addition, "A");
  EXPECT_EQ(organization->phone, "+31581234567");
}

TEST(ValidateDutchOrganization, NamesTheBadField) {
  struct Case {
    std::function<void(Organization&)> spoil;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& o) { o.kvk_number = ""; }, "organization.kvk_number"},
           {[](auto& o) { o.kvk_number = "1234567"; }, "organization.kvk_number"},
           {[](auto& o) { o.kvk_number = "123456789"; }, "organization.kvk_number"},
           {[](auto& o) { o.kvk_number = "6875O110"; }, "organization.kvk_number"},
           {[](auto& o) { o.legal_name = " "; }, "organization.legal_name"},
           {[](auto& o) { o.postcode = "12345"; }, "organization.postcode"},
           {[](auto& o) { o.house_number = "A"; }, "organization.house_number"},
           {[](auto& o) { o.city = ""; }, "organization.city"},
           {[](auto& o) { o.phone = "call me"; }, "organization.phone"},
       }) {
    Organization organization = Donald();
    c.spoil(organization);
    absl::StatusOr<DutchOrganization> validated = ValidateDutchOrganization(organization);
    ASSERT_FALSE(validated.ok()) << c.field;
    EXPECT_EQ(validated.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Field(validated.status()), c.field) << validated.status();
  }
}

TEST(ValidateDutchOrganization, PhoneIsOptional) {
  Organization organization = Donald();
  organization.phone = "";
  absl::StatusOr<DutchOrganization> validated = ValidateDutchOrganization(organization);
  ASSERT_TRUE(validated.ok());
  EXPECT_FALSE(validated->phone.has_value());
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
