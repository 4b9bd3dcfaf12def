// The /orders query string: each ListOrders filter, bad values named, and
// the next-page link keeping the filters.
#include "console/src/http/list_query.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::console::http {
namespace {

using ::testing::HasSubstr;

TEST(ParseListQueryTest, EveryFilter) {
  auto request = ParseListQuery({{"status", "OPEN"},
                                 {"certificate_status", "REQUESTED"},
                                 {"reseller_code", "REJ"},
                                 {"host", "*.example.nl"},
                                 {"expiring_within_days", "30"},
                                 {"stuck", "1"},
                                 {"page_size", "20"},
                                 {"page_token", "t"}});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->order_status(), v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(request->certificate_status(), v1::CERTIFICATE_STATUS_REQUESTED);
  EXPECT_EQ(request->reseller_code(), v1::RESELLER_CODE_REJ);
  EXPECT_EQ(request->common_name_pattern(), "*.example.nl");
  EXPECT_EQ(request->expiring_within_days(), 30);
  EXPECT_TRUE(request->stuck());
  EXPECT_EQ(request->page_size(), 20);
  EXPECT_EQ(request->page_token(), "t");
}

TEST(ParseListQueryTest, EmptyMeansNoFilter) {
  auto request = ParseListQuery({{"status", ""}, {"page_size", ""}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->order_status(), v1::ORDER_STATUS_UNSPECIFIED);
  EXPECT_EQ(request->page_size(), 0);
  EXPECT_FALSE(request->stuck());
}

TEST(ParseListQueryTest, BadValuesNameTheParameter) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"status", "ACTIVE"},
                                                        {"status", "UNSPECIFIED"},
                                                        {"certificate_status", "<b>"},
                                                        {"reseller_code", "XXX"},
                                                        {"expiring_within_days", "-1"},
                                                        {"expiring_within_days", "soon"},
                                                        {"page_size", "501"},
                                                        {"stuck", "maybe"}}) {
    auto request = ParseListQuery({{name, value}});
    ASSERT_FALSE(request.ok()) << name << "=" << value;
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(request.status().message(), HasSubstr(name + ":"));
  }
}

TEST(ToListPageTest, RowsAndANextLinkWithTheSameFilters) {
  auto request = ParseListQuery({{"reseller_code", "ACT"}, {"host", "www.*"}});
  ASSERT_TRUE(request.ok());
  v1::ListOrdersResponse response;
  response.add_orders()->set_order_id("o1");
  response.set_next_page_token("next+1");
  const view::ListPage page = ToListPage(*request, response);
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.next_href, "/orders?reseller_code=ACT&host=www.%2A&page_token=next%2B1");
  bool act_selected = false;
  for (const view::Option& option : page.reseller_codes) {
    act_selected |= option.value == "ACT" && option.selected;
  }
  EXPECT_TRUE(act_selected);
}

}  // namespace
}  // namespace sslpanel::console::http
