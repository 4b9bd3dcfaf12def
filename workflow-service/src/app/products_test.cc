#include "workflow-service/src/app/products.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::HasSubstr;

TEST(ProductCatalog, ParsesAndFinds) {
  auto catalog = ProductCatalog::Parse(R"({"products": [
    {"id": "x-ov", "validation_type": "OV", "ca_adapter": "sandbox", "period_months": [12, 24],
     "renewal_window_days": 30, "wildcard_allowed": true, "max_additional_names": 3}]})");
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  const Product* product = catalog->Find("x-ov");
  ASSERT_NE(product, nullptr);
  EXPECT_EQ(product->validation_type, domain::ValidationType::kOv);
  EXPECT_EQ(product->Rules().renewal_window, absl::Hours(24 * 30));
  EXPECT_EQ(catalog->Find("nope"), nullptr);
}

TEST(ProductCatalog, RefusalsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {"not json", "not valid JSON"},
      {R"({"products": []})", "products"},
      {R"({"products": [{"validation_type": "DV", "ca_adapter": "a", "period_months": [1]}]})",
       "products[0].id"},
      {R"({"products": [{"id": "a", "validation_type": "XV", "ca_adapter": "a", "period_months": [1]}]})",
       "products[0].validation_type"},
      {R"({"products": [{"id": "a", "validation_type": "DV", "ca_adapter": "a", "period_months": []}]})",
       "products[0].period_months"},
      {R"({"products": [{"id": "a", "validation_type": "DV", "ca_adapter": "a", "period_months": [1],
                        "wildcard_allowed": "yes"}]})",
       "product catalogue"},
      {R"({"products": [{"id": "a", "validation_type": "DV", "ca_adapter": "a", "period_months": [1]},
                        {"id": "a", "validation_type": "DV", "ca_adapter": "a", "period_months": [1]}]})",
       "products[1].id"},
  };
  for (const Case& c : cases) {
    auto catalog = ProductCatalog::Parse(c.json);
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(catalog.status().message(), HasSubstr(c.field));
  }
}

// Found by fuzzing (fuzz/products_fuzzer.cc): a number out of int's range was
// narrowed before the range check, undefined behaviour for 1e300 and a
// silent wrap for 4294967297 (read as 1 month). Each is now refused.
TEST(ProductCatalog, NumbersOutOfRangeAreRefusedNotNarrowed) {
  auto with = [](const std::string& member) {
    return R"({"products": [{"id": "a", "validation_type": "DV", "ca_adapter": "a", )" + member +
           "}]}";
  };
  const std::pair<std::string, const char*> cases[] = {
      {with(R"("period_months": [1], "max_additional_names": 1e300)"),
       "products[0].max_additional_names: must be an integer 0..250"},
      {with(R"("period_months": [1], "renewal_window_days": -1e300)"),
       "products[0].renewal_window_days"},
      {with(R"("period_months": [1], "renewal_window_days": 2.5)"),
       "products[0].renewal_window_days"},
      {with(R"("period_months": [1], "max_additional_names": 4294967296)"),
       "products[0].max_additional_names"},
      {with(R"("period_months": [4294967297])"), "products[0].period_months"},
      {with(R"("period_months": [18446744073709551615])"), "products[0].period_months"},
      {with(R"("period_months": [12.0])"), "products[0].period_months"},
      {with(R"("period_months": [0])"), "products[0].period_months"},
  };
  for (const auto& [json, field] : cases) {
    auto catalog = ProductCatalog::Parse(json);
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(catalog.status().message(), HasSubstr(field)) << json;
  }
  auto fine = ProductCatalog::Parse(
      with(R"("period_months": [12, 24], "max_additional_names": 250, "renewal_window_days": 0)"));
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ(fine->all()[0].max_additional_names, 250);
  EXPECT_EQ(fine->all()[0].renewal_window_days, 0);
}

TEST(ProductCatalog, TheShippedCatalogueIsValid) {
  auto catalog = ProductCatalog::LoadFile(SSLPANEL_PRODUCTS_FILE);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_NE(catalog->Find("sandbox-dv"), nullptr);
}

}  // namespace
}  // namespace sslpanel::workflow::app
