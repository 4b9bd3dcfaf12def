#include "ca-adapter/sectigo-fake/src/core/faults.h"

#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake {
namespace {

TEST(SectigoFakeFaultsTest, ParsesTheAdminJson) {
  absl::StatusOr<Fault> fault = ParseFault(
      R"({"endpoint":"AutoApplySSL","action":"drop","when":"after","count":2,"skip":1})");
  ASSERT_TRUE(fault.ok()) << fault.status();
  EXPECT_EQ(fault->endpoint, "AutoApplySSL");
  EXPECT_EQ(fault->action, FaultAction::kDrop);
  EXPECT_TRUE(fault->after);
  EXPECT_EQ(fault->count, 2);
  EXPECT_EQ(fault->skip, 1);
  EXPECT_FALSE(ParseFault(R"({"action":"explode"})").ok());
  EXPECT_FALSE(ParseFault(R"({"when":"during"})").ok());
  EXPECT_FALSE(ParseFault("not json").ok());
  EXPECT_FALSE(ParseFault(R"({"count":-1})").ok());
}

TEST(SectigoFakeFaultsTest, TakeCountsSkipsAndMatchesEndpoints) {
  FaultList list;
  Fault apply;
  apply.endpoint = "AutoApplySSL";
  apply.code = -42;
  apply.count = 2;
  apply.skip = 1;
  list.Add(apply);
  EXPECT_FALSE(list.Take("CollectSSL").has_value());
  EXPECT_FALSE(list.Take("AutoApplySSL").has_value());  // skipped
  EXPECT_EQ(list.Take("AutoApplySSL")->code, -42);
  EXPECT_EQ(list.Take("AutoApplySSL")->code, -42);
  EXPECT_FALSE(list.Take("AutoApplySSL").has_value());  // used up
  EXPECT_TRUE(list.faults().empty());
}

TEST(SectigoFakeFaultsTest, CountZeroLastsUntilCleared) {
  FaultList list;
  Fault any;
  any.count = 0;
  list.Add(any);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(list.Take("CollectSSL").has_value());
  }
  list.Clear();
  EXPECT_FALSE(list.Take("CollectSSL").has_value());
}

}  // namespace
}  // namespace sslpanel::sectigo_fake
