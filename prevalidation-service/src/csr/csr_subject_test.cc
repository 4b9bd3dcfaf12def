#include "csr/csr_subject.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::csr {
namespace {

std::string Read(const std::string& relative) {
  std::ifstream in(std::string(SSLPANEL_PREVALIDATION_TESTDATA) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DecodeCsrSubject, ReadsOrganisationLocalityCountryAndCommonName) {
  absl::StatusOr<domain::CsrSubject> subject = DecodeCsrSubject(Read("csr/testbvdonald.csr.pem"));
  ASSERT_TRUE(subject.ok()) << subject.status();
  EXPECT_EQ(subject->organization, "Test BV Donald");
  EXPECT_EQ(subject->locality, "Lollum");
  EXPECT_EQ(subject->country, "NL");
  EXPECT_EQ(subject->common_name, "www.testbvdonald.nl");

  absl::StatusOr<domain::CsrSubject> bare = DecodeCsrSubject(Read("csr/cn-only.csr.pem"));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->organization, "");
  EXPECT_EQ(bare->common_name, "www.testemzdagobert.nl");
}

TEST(DecodeCsrSubject, RefusesWhatIsNotAValidCsr) {
  EXPECT_FALSE(DecodeCsrSubject("hello").ok());
  EXPECT_FALSE(DecodeCsrSubject("").ok());
  // One flipped character in the signed body: the signature no longer holds.
  std::string tampered = Read("csr/testbvdonald.csr.pem");
  const size_t at = tampered.find("TG9sbHVt");  // base64 of "Lollum"
  ASSERT_NE(at, std::string::npos);
  tampered[at] = 'U';
  EXPECT_FALSE(DecodeCsrSubject(tampered).ok());
}

}  // namespace
}  // namespace sslpanel::prevalidation::csr
