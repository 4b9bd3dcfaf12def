#include "workflow-service/src/app/products.h"

#include <cstdint>
#include <fstream>
#include <optional>
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

// `value` as an int in [min, max], checked before it is narrowed: nlohmann's
// get<int>() of 1e300 is undefined behaviour and of 4294967297 silently 1.
// (JSON's non-negative integers arrive as unsigned.)
std::optional<int> IntIn(const Json& value, int min, int max) {
  if (!value.is_number_integer()) {
    return std::nullopt;
  }
  const bool in_range = value.is_number_unsigned()
                            ? value.get<uint64_t>() <= static_cast<uint64_t>(max)
                            : value.get<int64_t>() >= min && value.get<int64_t>() <= max;
  if (!in_range || value.get<int>() < min) {
    return std::nullopt;
  }
  return value.get<int>();
}

// The member `key` of `item` as an int in [min, max]; `fallback` when absent.
absl::StatusOr<int> IntMember(const Json& item, const std::string& at, const char* key,
                              int fallback, int min, int max) {
  if (!item.contains(key)) {
    return fallback;
  }
  std::optional<int> value = IntIn(item[key], min, max);
  if (!value.has_value()) {
    return Invalid(absl::StrCat(at, ".", key), absl::StrCat("must be an integer ", min, "..", max));
  }
  return *value;
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
    absl::StatusOr<int> max_names = IntMember(item, at, "max_additional_names", 0, 0, 250);
    absl::StatusOr<int> window = IntMember(item, at, "renewal_window_days", 90, 0, 365);
    for (const auto* number : {&max_names, &window}) {
      if (!number->ok()) {
        return number->status();
      }
    }
    product.max_additional_names = *max_names;
    product.renewal_window_days = *window;
    if (!item.contains("period_months") || !item["period_months"].is_array() ||
        item["period_months"].empty()) {
      return Invalid(at + ".period_months", "required, a non-empty array of months");
    }
    for (const Json& period : item["period_months"]) {
      std::optional<int> months = IntIn(period, 1, 120);
      if (!months.has_value()) {
        return Invalid(at + ".period_months", "each period must be 1..120 months");
      }
      product.period_months.push_back(*months);
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
