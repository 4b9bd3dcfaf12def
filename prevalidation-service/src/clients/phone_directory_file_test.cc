#include "clients/phone_directory_file.h"

#include <fstream>

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::clients {
namespace {

TEST(FilePhoneDirectory, FindsNumbersHoweverTheFileWritesThem) {
  auto directory = FilePhoneDirectory::Load(std::string(SSLPANEL_PREVALIDATION_TESTDATA) +
                                            "/phone_directory.json");
  ASSERT_TRUE(directory.ok()) << directory.status();
  absl::StatusOr<domain::PhoneLookup> found = (*directory)->FindNumber("+31581234567");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->listing.has_value());
  EXPECT_EQ(found->listing->name, "Test BV Donald");
  EXPECT_NE(found->source.find("phone_directory.json"), std::string::npos);
  EXPECT_FALSE((*directory)->FindNumber("+31200000000")->listing.has_value());
}

TEST(FilePhoneDirectory, RefusesABadFile) {
  const std::string path = ::testing::TempDir() + "/bad_phone_directory.json";
  std::ofstream(path) << R"({"entries": [{"number": "call me", "name": "X"}]})";
  absl::StatusOr<std::unique_ptr<FilePhoneDirectory>> bad = FilePhoneDirectory::Load(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("entries[0]"), std::string::npos);
  EXPECT_FALSE(FilePhoneDirectory::Load("/nonexistent/phones.json").ok());
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
