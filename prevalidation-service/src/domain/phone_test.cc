#include "domain/phone.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(NormalizePhone, ReadsTheWaysPeopleWriteNumbers) {
  for (const char* text : {"+31201234567", "+31 20 123 45 67", "+31 (0)20 1234567",
                           "0031 20 1234567", "020-1234567", "(020) 123 45 67", "020.123.45.67"}) {
    EXPECT_EQ(NormalizePhone(text), "+31201234567") << text;
  }
  EXPECT_EQ(NormalizePhone("+32 2 123 45 67"), "+3221234567");
}

TEST(NormalizePhone, RefusesWhatIsNotANumber) {
  for (const char* text : {"", "call me", "12345", "+0201234567", "020-CALL-NOW", "+31 20 12#45",
                           "+1234567890123456"}) {
    EXPECT_FALSE(NormalizePhone(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
