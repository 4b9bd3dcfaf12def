#include "workflow-service/src/app/validation.h"

#include "common/testing/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow-service/src/csr/openssl_csr_parser.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Product TestProduct() {
  Product product;
  product.id = "p";
  product.max_additional_names = 2;
  product.period_months = {12};
  return product;
}

TEST(ValidateNames, NormalisesDeduplicatesAndLimits) {
  auto names = ValidateNames("WWW.Example.NL.", {"example.nl", "www.example.nl", "EXAMPLE.nl"},
                             TestProduct());
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->common_name, "www.example.nl");
  EXPECT_THAT(names->additional_names, ElementsAre("example.nl"));
  auto too_many = ValidateNames("a.example.nl", {"b.example.nl", "c.example.nl", "d.example.nl"},
                                TestProduct());
  EXPECT_THAT(too_many.status().message(), HasSubstr("at most 2 additional names"));
  auto bad = ValidateNames("a.example.nl", {"ok.example.nl", "bad_name.example.nl"}, TestProduct());
  EXPECT_THAT(bad.status().message(), HasSubstr("additional_names[1]"));
}

TEST(ExpandDcv, OneEntryPerNameWithOverrides) {
  Names names{"www.example.nl", {"shop.example.nl"}};
  auto dcv = ExpandDcv(names, domain::DcvMethod::kEmail, "admin@example.nl",
                       {{"shop.example.nl", domain::DcvMethod::kDns, ""}});
  ASSERT_TRUE(dcv.ok()) << dcv.status();
  ASSERT_EQ(dcv->size(), 2u);
  EXPECT_EQ((*dcv)[0].method, domain::DcvMethod::kEmail);
  EXPECT_EQ((*dcv)[0].approver_email, "admin@example.nl");
  EXPECT_EQ((*dcv)[1].method, domain::DcvMethod::kDns);
  EXPECT_EQ((*dcv)[1].approver_email, "");
}

TEST(ExpandDcv, RefusalsNameTheField) {
  Names names{"www.example.nl", {}};
  EXPECT_THAT(ExpandDcv(names, std::nullopt, "", {}).status().message(), HasSubstr("dcv_method"));
  EXPECT_THAT(ExpandDcv(names, domain::DcvMethod::kEmail, "", {}).status().message(),
              HasSubstr("approver_email: required"));
  EXPECT_THAT(ExpandDcv(names, domain::DcvMethod::kEmail, "info@example.nl", {}).status().message(),
              HasSubstr("cannot approve"));
  EXPECT_THAT(ExpandDcv(names, domain::DcvMethod::kDns, "",
                        {{"other.example.nl", domain::DcvMethod::kDns, ""}})
                  .status()
                  .message(),
              HasSubstr("domain_validations[0].host_name"));
  EXPECT_THAT(
      ExpandDcv(Names{"*.example.nl", {}}, domain::DcvMethod::kHttp, "", {}).status().message(),
      HasSubstr("wildcard"));
}

TEST(IsApproverAddressFor, HostOrParentDomains) {
  EXPECT_TRUE(IsApproverAddressFor("admin@example.nl", "www.example.nl"));
  EXPECT_TRUE(IsApproverAddressFor("hostmaster@www.example.nl", "www.example.nl"));
  EXPECT_TRUE(IsApproverAddressFor("webmaster@example.nl", "*.example.nl"));
  EXPECT_FALSE(IsApproverAddressFor("admin@nl", "example.nl"));
  EXPECT_FALSE(IsApproverAddressFor("admin@other.nl", "www.example.nl"));
  EXPECT_FALSE(IsApproverAddressFor("sales@example.nl", "www.example.nl"));
}

TEST(ValidateOrganization, DutchOrganisationsNeedKvkPostcodeAndPhone) {
  domain::Organization org{"Test BV Donald", "68750110", "Hizzaarderlaan", "3", "", "8915ae",
                           "Leeuwarden",     "nl",       "+31 58 123 4567"};
  auto valid = ValidateOrganization(org, true);
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_EQ(valid->postcode, "8915 AE");
  EXPECT_EQ(valid->country_code, "NL");
  EXPECT_EQ(valid->phone, "+31581234567");

  auto check = [&](auto mutate, const char* field) {
    domain::Organization copy = org;
    mutate(copy);
    absl::Status status = ValidateOrganization(copy, true).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(status.message(), HasSubstr(field));
  };
  check([](auto& o) { o.kvk_number = "1234"; }, "organization.kvk_number");
  check([](auto& o) { o.postcode = "1234"; }, "organization.postcode");
  check([](auto& o) { o.phone = "0581234567"; }, "organization.phone");
  check([](auto& o) { o.country_code = "Netherlands"; }, "organization.country_code");
  check([](auto& o) { o.legal_name = ""; }, "organization.legal_name");
  check([](auto& o) { o.city = std::string(201, 'x'); }, "organization.city");
  EXPECT_THAT(ValidateOrganization({}, true).status().message(), HasSubstr("required for OV"));
  EXPECT_TRUE(ValidateOrganization({}, false).ok());
}

TEST(ValidateCsrForNames, CommonNameAndSansMustBeTheOrders) {
  csr::OpenSslCsrParser parser;
  Names names{"www.example.nl", {"example.nl"}};
  EXPECT_TRUE(
      ValidateCsrForNames(
          parser, testing::MakeCsr("www.example.nl", {"www.example.nl", "example.nl"}), names)
          .ok());
  EXPECT_THAT(ValidateCsrForNames(parser, testing::MakeCsr("other.example.nl"), names).message(),
              HasSubstr("does not match common_name"));
  EXPECT_THAT(
      ValidateCsrForNames(parser, testing::MakeCsr("www.example.nl", {"evil.example.nl"}), names)
          .message(),
      HasSubstr("subjectAltName \"evil.example.nl\""));
  testing::CsrSpec weak;
  weak.common_name = "www.example.nl";
  weak.key = testing::CsrSpec::Key::kRsa;
  weak.rsa_bits = 1024;
  EXPECT_THAT(ValidateCsrForNames(parser, testing::MakeCsr(weak), names).message(),
              HasSubstr("csr: RSA key of 1024 bits"));
  testing::CsrSpec small_exponent;
  small_exponent.common_name = "www.example.nl";
  small_exponent.key = testing::CsrSpec::Key::kRsa;
  small_exponent.rsa_exponent = 3;
  const absl::Status refused = ValidateCsrForNames(parser, testing::MakeCsr(small_exponent), names);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(),
              HasSubstr("csr: RSA public exponent 3 is not accepted; it must be odd and at least "
                        "65537"));
}

TEST(ValidateRequestId, RequiredPrintableBounded) {
  EXPECT_THAT(ValidateRequestId("").message(), HasSubstr("request_id: required"));
  EXPECT_FALSE(ValidateRequestId("has space").ok());
  EXPECT_FALSE(ValidateRequestId(std::string(129, 'a')).ok());
  EXPECT_TRUE(ValidateRequestId("billing-4711-create").ok());
}

}  // namespace
}  // namespace sslpanel::workflow::app
