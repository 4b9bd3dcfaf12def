// The product catalogue: which products exist, which CA adapter serves each,
// and the rules (periods, wildcards, names, renewal window) orders obey.
// Loaded from a JSON file at start and validated; a bad file stops the start.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "workflow-service/src/domain/model.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {

struct Product {
  std::string id;
  std::string display_name;
  std::string brand;
  domain::ValidationType validation_type = domain::ValidationType::kDv;
  std::string ca_adapter;
  std::string ca_product_code;
  std::vector<int> period_months;
  bool wildcard_allowed = false;
  int max_additional_names = 0;
  int renewal_window_days = 90;

  domain::ProductRules Rules() const;
};

class ProductCatalog {
 public:
  // Parses {"products": [{...}, ...]}; INVALID_ARGUMENT names the bad field,
  // e.g. "products[1].period_months: must not be empty".
  static absl::StatusOr<ProductCatalog> Parse(const std::string& json);
  static absl::StatusOr<ProductCatalog> LoadFile(const std::string& path);

  // nullptr when unknown.
  const Product* Find(const std::string& id) const;
  const std::vector<Product>& all() const { return products_; }

 private:
  static absl::StatusOr<ProductCatalog> ParseJson(const std::string& json);

  std::vector<Product> products_;
};

}  // namespace sslpanel::workflow::app
