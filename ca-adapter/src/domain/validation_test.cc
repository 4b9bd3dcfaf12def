#include "ca-adapter/src/domain/validation.h"

#include "absl/strings/match.h"
#include "ca-adapter/src/domain/names.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::domain {
namespace {

constexpr char kCsr[] =
    "-----BEGIN CERTIFICATE REQUEST-----\nMII...\n-----END CERTIFICATE REQUEST-----\n";

Capabilities Caps() {
  Capabilities caps;
  caps.validation_types = {ValidationType::kDv};
  caps.dcv_methods = {DcvMethod::kDns, DcvMethod::kHttp};
  caps.max_names = 3;
  caps.supports_wildcard = false;
  return caps;
}

SubmitCommand Valid() {
  SubmitCommand command;
  command.idempotency_key = "key-1";
  command.csr_pem = kCsr;
  command.common_name = "www.example.nl";
  command.additional_names = {"example.nl"};
  command.validation_type = ValidationType::kDv;
  command.period_months = 12;
  return command;
}

// Empty when valid, else the field the error names.
std::string FieldOf(const absl::Status& status) {
  if (status.ok()) {
    return "";
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const std::string message(status.message());
  return message.substr(0, message.find(':'));
}

TEST(ValidateSubmit, AcceptsAValidOrder) { EXPECT_TRUE(ValidateSubmit(Valid(), Caps()).ok()); }

TEST(ValidateSubmit, NamesTheFirstBadField) {
  struct Case {
    const char* field;
    std::function<void(SubmitCommand&)> spoil;
  };
  const Case cases[] = {
      {"idempotency_key", [](SubmitCommand& c) { c.idempotency_key = "has space"; }},
      {"csr", [](SubmitCommand& c) { c.csr_pem = "not pem"; }},
      {"common_name", [](SubmitCommand& c) { c.common_name = "*.example.nl"; }},  // no wildcard
      {"common_name", [](SubmitCommand& c) { c.common_name = "localhost"; }},
      {"additional_names[1]", [](SubmitCommand& c) { c.additional_names.push_back("a..b"); }},
      {"additional_names",
       [](SubmitCommand& c) {
         c.additional_names = {"a.example.nl", "b.example.nl", "c.nl"};
       }},
      {"validation_type", [](SubmitCommand& c) { c.validation_type = ValidationType::kEv; }},
      {"period_months", [](SubmitCommand& c) { c.period_months = 61; }},
      {"domain_validations[0].method",
       [](SubmitCommand& c) {
         c.domain_validations.push_back({"example.nl", DcvMethod::kEmail, "admin@example.nl"});
       }},
      {"domain_validations[1].host_name",
       [](SubmitCommand& c) {
         c.domain_validations.push_back({"example.nl", DcvMethod::kDns, ""});
         c.domain_validations.push_back({"EXAMPLE.nl", DcvMethod::kHttp, ""});
       }},
  };
  for (const Case& c : cases) {
    SubmitCommand command = Valid();
    c.spoil(command);
    EXPECT_EQ(FieldOf(ValidateSubmit(command, Caps())), c.field);
  }
}

TEST(ValidateSubmit, DuplicateNamesCountOnce) {
  SubmitCommand command = Valid();
  command.additional_names = {"WWW.example.nl", "example.nl", "example.nl"};
  EXPECT_TRUE(ValidateSubmit(command, Caps()).ok());
}

TEST(ValidateSubmit, OrganizationIsRequiredForOvAndEv) {
  Capabilities caps = Caps();
  caps.validation_types.push_back(ValidationType::kOv);
  SubmitCommand command = Valid();
  command.validation_type = ValidationType::kOv;
  EXPECT_EQ(FieldOf(ValidateSubmit(command, caps)), "organization");
  command.organization = Organization{"Example B.V.", "68750110", "", "", "Amsterdam", "NLD", ""};
  EXPECT_EQ(FieldOf(ValidateSubmit(command, caps)), "organization.country_code");
  command.organization->country_code = "NL";
  EXPECT_TRUE(ValidateSubmit(command, caps).ok());
}

TEST(ValidateCancel, NeedsAReferenceOrASubmitKey) {
  CancelCommand command;
  command.idempotency_key = "c1";
  EXPECT_EQ(FieldOf(ValidateCancel(command)), "ca_order_id");
  command.submit_idempotency_key = "c1";
  EXPECT_EQ(FieldOf(ValidateCancel(command)), "submit_idempotency_key");
  command.submit_idempotency_key = "s1";
  EXPECT_TRUE(ValidateCancel(command).ok());
}

TEST(ValidateReissue, NamesAreOptionalButAdditionalNamesNeedACommonName) {
  ReissueCommand command;
  command.idempotency_key = "r1";
  command.ca_order_id = "sbx-1";
  command.csr_pem = kCsr;
  EXPECT_TRUE(ValidateReissue(command, Caps()).ok());
  command.additional_names = {"example.nl"};
  EXPECT_EQ(FieldOf(ValidateReissue(command, Caps())), "common_name");
}

TEST(ValidateRenew, NeedsAPeriod) {
  RenewCommand command;
  command.idempotency_key = "r1";
  command.ca_order_id = "sbx-1";
  command.csr_pem = kCsr;
  EXPECT_EQ(FieldOf(ValidateRenew(command, Caps())), "period_months");
}

// The csr_pem columns are TEXT (65,535 bytes): a CSR above the cap must be
// refused up front, never stored cut short. 16 KiB is the workflow's cap.
TEST(ValidateSubmit, ACsrAbove16KiBIsRefusedBeforeAnythingIsStored) {
  auto padded = [](size_t size) {
    std::string csr = kCsr;
    csr.insert(csr.find("-----END"), std::string(size - csr.size(), 'A'));
    return csr;
  };
  SubmitCommand command = Valid();
  command.csr_pem = padded(16 * 1024);
  EXPECT_TRUE(ValidateSubmit(command, Caps()).ok()) << "16 KiB is allowed";
  for (size_t size : {16 * 1024 + 1, 65'535 + 1}) {
    command.csr_pem = padded(size);
    const absl::Status status = ValidateSubmit(command, Caps());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(status.message(), "csr: at most 16384 bytes")) << status;
  }
  RenewCommand renew;
  renew.idempotency_key = "r1";
  renew.ca_order_id = "sbx-1";
  renew.period_months = 12;
  renew.csr_pem = padded(16 * 1024 + 1);
  EXPECT_EQ(FieldOf(ValidateRenew(renew, Caps())), "csr");
  ReissueCommand reissue;
  reissue.idempotency_key = "r2";
  reissue.ca_order_id = "sbx-1";
  reissue.csr_pem = padded(16 * 1024 + 1);
  EXPECT_EQ(FieldOf(ValidateReissue(reissue, Caps())), "csr");
}

TEST(HostNameProblem, AcceptsDnsNamesAndWildcardsWhenAllowed) {
  EXPECT_EQ(HostNameProblem("www.Example.NL", false), "");
  EXPECT_EQ(HostNameProblem("xn--bcher-kva.example", false), "");
  EXPECT_EQ(HostNameProblem("*.example.nl", true), "");
  EXPECT_NE(HostNameProblem("*.example.nl", false), "");
  EXPECT_NE(HostNameProblem("www.*.example.nl", true), "");
  EXPECT_NE(HostNameProblem("exa_mple.nl", false), "");
  EXPECT_NE(HostNameProblem(std::string(64, 'a') + ".nl", false), "");
  EXPECT_NE(HostNameProblem("example.nl.", false), "");
}

TEST(Names, OrderNamesLowerCasesAndDeduplicates) {
  EXPECT_EQ(OrderNames("WWW.example.nl", {"example.nl", "www.EXAMPLE.nl"}),
            (std::vector<std::string>{"www.example.nl", "example.nl"}));
}

TEST(Names, HasLabelMatchesWholeLabelsOnly) {
  EXPECT_TRUE(HasLabel("refuse.example.com", "refuse"));
  EXPECT_TRUE(HasLabel("www.REFUSE.example.com", "refuse"));
  EXPECT_FALSE(HasLabel("refused.example.com", "refuse"));
  EXPECT_FALSE(HasLabel("example.com", ""));
}

}  // namespace
}  // namespace sslpanel::ca::domain
