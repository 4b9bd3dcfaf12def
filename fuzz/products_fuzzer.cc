// The product catalogue file (--products_file): an operator writes it, but a
// typo must stop the start with a message, never crash or be half-read.
#include <cstdlib>

#include "fuzz/fuzz.h"
#include "workflow-service/src/app/products.h"

SSLPANEL_FUZZ_TARGET {
  using sslpanel::workflow::app::ProductCatalog;
  absl::StatusOr<ProductCatalog> catalog = ProductCatalog::Parse(sslpanel::fuzz::Text(data, size));
  if (!catalog.ok()) {
    return 0;
  }
  // What Parse promises for an accepted catalogue.
  for (const auto& product : catalog->all()) {
    if (product.id.empty() || product.period_months.empty() || product.max_additional_names < 0 ||
        product.max_additional_names > 250 || product.renewal_window_days < 0 ||
        product.renewal_window_days > 365) {
      std::abort();
    }
    for (int months : product.period_months) {
      if (months < 1 || months > 120) {
        std::abort();
      }
    }
  }
  return 0;
}
