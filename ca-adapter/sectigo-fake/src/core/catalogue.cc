#include "ca-adapter/sectigo-fake/src/core/catalogue.h"

#include "absl/strings/str_format.h"

namespace sslpanel::sectigo_fake {
namespace {

constexpr Product kProducts[] = {
    {287, "PositiveSSL", Validation::kDv, false, false, 49.00},
    {289, "PositiveSSL Wildcard", Validation::kDv, true, false, 99.00},
    {279, "PositiveSSL Multi-Domain", Validation::kDv, false, true, 79.00},
    {448, "Sectigo DV SSL", Validation::kDv, false, false, 59.00},
    {488, "Sectigo DV SSL", Validation::kDv, false, false, 59.00},
    {7, "Sectigo OV SSL", Validation::kOv, false, false, 99.00},
    {35, "Sectigo OV SSL Wildcard", Validation::kOv, true, false, 199.00},
    {337, "Sectigo EV SSL", Validation::kEv, false, false, 199.00},
    {410, "Sectigo EV SSL", Validation::kEv, false, false, 199.00},
};

constexpr absl::string_view kCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

}  // namespace

const Product* FindProduct(int code) {
  for (const Product& product : kProducts) {
    if (product.code == code) {
      return &product;
    }
  }
  return nullptr;
}

std::optional<int> PricedYears(int days) {
  for (int years : {1, 2}) {
    if (days >= 365 * years && days <= 365 * years + 90) {
      return years;
    }
  }
  return std::nullopt;
}

std::string FormatAmount(double amount) { return absl::StrFormat("%.2f", amount); }

bool IsCountryCode(absl::string_view code) {
  if (code.size() != 2) {
    return false;
  }
  for (size_t i = 0; i + 2 <= kCountries.size(); i += 3) {
    if (kCountries.substr(i, 2) == code) {
      return true;
    }
  }
  return false;
}

}  // namespace sslpanel::sectigo_fake
