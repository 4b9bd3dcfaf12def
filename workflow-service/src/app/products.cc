#include "workflow-service/src/app/products.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace sslpanel::workflow::app {
namespace {

using Json = nlohmann::json;

absl::Status Invalid(const std::string& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::StatusOr<std::string> RequiredString(const Json& item, const std::string& at,
                                           const char* key) {
  if (!item.contains(key) || !item[key].is_string() || item[key].get<std::string>().empty()) {
    return Invalid(absl::StrCat(at, ".", key), "required, a non-empty string");
  }
  return item[key].get<std::string>();
}

}  // namespace

domain::ProductRules Product::Rules() const {
  domain::ProductRules rules;
  rules.renewal_window = absl::Hours(24) * renewal_window_days;
  return rules;
}

absl::StatusOr<ProductCatalog> ProductCatalog::Parse(const std::string& text) {
  try {
    return ParseJson(text);
  } catch (const nlohmann::json::exception& e) {
    // A value of the wrong type ("wildcard_allowed": "yes").
    return absl::InvalidArgumentError(absl::StrCat("product catalogue: ", e.what()));
  }
}

absl::StatusOr<ProductCatalog> ProductCatalog::ParseJson(const std::string& text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError("product catalogue: not valid JSON");
  }
  if (!json.is_object() || !json.contains("products") || !json["products"].is_array() ||
      json["products"].empty()) {
    return Invalid("products", "required, a non-empty array");
  }
  ProductCatalog catalog;
  std::set<std::string> ids;
  for (size_t i = 0; i < json["products"].size(); ++i) {
    const Json& item = json["products"][i];
    const std::string at = absl::StrCat("products[", i, "]");
    if (!item.is_object()) {
      return Invalid(at, "must be an object");
    }
    Product product;
    auto id = RequiredString(item, at, "id");
    auto adapter = RequiredString(item, at, "ca_adapter");
    auto type = RequiredString(item, at, "validation_type");
    for (const auto* required : {&id, &adapter, &type}) {
      if (!required->ok()) {
        return required->status();
      }
    }
    product.id = *id;
    product.ca_adapter = *adapter;
    if (!domain::Parse(*type, &product.validation_type)) {
      return Invalid(at + ".validation_type", "must be DV, OV or EV");
    }
    if (!ids.insert(product.id).second) {
      return Invalid(at + ".id", absl::StrCat("\"", product.id, "\" appears twice"));
    }
    product.display_name = item.value("display_name", product.id);
    product.brand = item.value("brand", "");
    product.ca_product_code = item.value("ca_product_code", product.id);
    product.wildcard_allowed = item.value("wildcard_allowed", false);
    product.max_additional_names = item.value("max_additional_names", 0);
    product.renewal_window_days = item.value("renewal_window_days", 90);
    if (!item.contains("period_months") || !item["period_months"].is_array() ||
        item["period_months"].empty()) {
      return Invalid(at + ".period_months", "required, a non-empty array of months");
    }
    for (const Json& period : item["period_months"]) {
      if (!period.is_number_integer() || period.get<int>() < 1 || period.get<int>() > 120) {
        return Invalid(at + ".period_months", "each period must be 1..120 months");
      }
      product.period_months.push_back(period.get<int>());
    }
    if (product.max_additional_names < 0 || product.max_additional_names > 250) {
      return Invalid(at + ".max_additional_names", "must be 0..250");
    }
    if (product.renewal_window_days < 0 || product.renewal_window_days > 365) {
      return Invalid(at + ".renewal_window_days", "must be 0..365");
    }
    catalog.products_.push_back(std::move(product));
  }
  return catalog;
}

absl::StatusOr<ProductCatalog> ProductCatalog::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("--products_file: cannot read \"", path, "\""));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto catalog = Parse(text.str());
  if (!catalog.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--products_file ", path, ": ", catalog.status().message()));
  }
  return catalog;
}

const Product* ProductCatalog::Find(const std::string& id) const {
  for (const Product& product : products_) {
    if (product.id == id) {
      return &product;
    }
  }
  return nullptr;
}

}  // namespace sslpanel::workflow::app
