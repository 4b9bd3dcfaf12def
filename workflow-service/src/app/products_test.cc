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

TEST(ProductCatalog, TheShippedCatalogueIsValid) {
  auto catalog = ProductCatalog::LoadFile(SSLPANEL_PRODUCTS_FILE);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_NE(catalog->Find("sandbox-dv"), nullptr);
}

}  // namespace
}  // namespace sslpanel::workflow::app
