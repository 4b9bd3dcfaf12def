#include "domain/applicability.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(DecideApplicability, OnlyOvAndEvForDutchOrganisationsUnderNl) {
  struct Case {
    ValidationType type;
    const char* common_name;
    const char* country;
    bool applies;
    const char* reason_mentions;
  };
  for (const Case& c : std::vector<Case>{
           {ValidationType::kOv, "www.example.nl", "NL", true, ""},
           {ValidationType::kEv, "www.example.nl", "NL", true, ""},
           {ValidationType::kOv, "WWW.EXAMPLE.NL.", "nl", true, ""},
           {ValidationType::kOv, "shop.eu.example.nl", " NL ", true, ""},
           {ValidationType::kOv, "*.example.nl", "NL", true, ""},
           {ValidationType::kOv, "xn--bcher-kva.nl", "NL", true, ""},
           {ValidationType::kOv, "bücher.nl", "NL", true, ""},
           {ValidationType::kDv, "www.example.nl", "NL", false, "DV"},
           {ValidationType::kOv, "www.example.com", "NL", false, "not under .nl"},
           {ValidationType::kOv, "www.example.nl.com", "NL", false, "not under .nl"},
           {ValidationType::kEv, "www.example.nl", "BE", false, "BE"},
           {ValidationType::kOv, "www.example.nl", "", false, "not NL"},
       }) {
    absl::StatusOr<HostName> host = ParseHostName(c.common_name, true);
    ASSERT_TRUE(host.ok()) << c.common_name;
    const Applicability applicability = DecideApplicability(c.type, *host, c.country);
    EXPECT_EQ(applicability.applies, c.applies) << c.common_name << " " << c.country;
    EXPECT_NE(applicability.reason.find(c.reason_mentions), std::string::npos)
        << applicability.reason;
  }
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
