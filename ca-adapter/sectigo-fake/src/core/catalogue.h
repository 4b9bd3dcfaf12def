// The products the fake sells (the contract's Sectigo product codes) and
// what a term costs. Both codes the docs give for the same certificate are
// accepted where they disagree (DV 448 / 488, EV 337 / 410). Pure.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sslpanel::sectigo_fake {

enum class Validation { kDv, kOv, kEv };

struct Product {
  int code = 0;
  const char* name = "";
  Validation validation = Validation::kDv;
  bool wildcard = false;
  bool multi_domain = false;
  double price_per_year = 0;
};

// nullptr for a code the catalogue does not have.
const Product* FindProduct(int code);

// The priced years a term of `days` buys: 365 or 730 days plus up to 90 bonus
// days; nullopt when the term has no price (the API's -115).
std::optional<int> PricedYears(int days);

// "49.00": the API's amount format.
std::string FormatAmount(double amount);

// ISO 3166-1 alpha-2, upper-case.
bool IsCountryCode(absl::string_view code);

}  // namespace sslpanel::sectigo_fake
