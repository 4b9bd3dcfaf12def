#include "clients/kvk_json.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "clients/json_util.h"

namespace sslpanel::prevalidation::clients {
namespace {

using nlohmann::json;

absl::StatusOr<json> Parse(absl::string_view body, absl::string_view what) {
  json document = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object"));
  }
  return document;
}

domain::CompanyAddress ParseAddress(const json& address) {
  domain::CompanyAddress out;
  out.type = Text(address, "type");
  out.shielded = Indication(address, "indAfgeschermd").value_or(false);
  out.street = Text(address, "straatnaam");
  out.house_number = Integer(address, "huisnummer");
  out.house_letter = Text(address, "huisletter");
  out.house_number_addition = Text(address, "huisnummerToevoeging");
  out.postcode = Text(address, "postcode");
  out.city = Text(address, "plaats");
  out.country = Text(address, "land");
  out.full_address = Text(address, "volledigAdres");
  return out;
}

}  // namespace

absl::StatusOr<KvkSearchPage> ParseZoeken(absl::string_view body) {
  absl::StatusOr<json> document = Parse(body, "Zoeken answer");
  if (!document.ok()) {
    return document.status();
  }
  const json& results = Member(*document, "resultaten");
  if (!results.is_array() && !document->contains("totaal")) {
    return absl::InvalidArgumentError("Zoeken answer has neither resultaten nor totaal");
  }
  KvkSearchPage page;
  page.total = Integer(*document, "totaal");
  if (results.is_array()) {
    for (const json& result : results) {
      KvkSearchHit hit;
      hit.kvk_number = Text(result, "kvkNummer");
      hit.name = Text(result, "naam");
      hit.type = Text(result, "type");
      hit.active = Indication(result, "actief").value_or(true);
      page.hits.push_back(std::move(hit));
    }
  }
  return page;
}

absl::StatusOr<domain::Company> ParseBasisprofiel(absl::string_view body) {
  absl::StatusOr<json> document = Parse(body, "Basisprofiel answer");
  if (!document.ok()) {
    return document.status();
  }
  domain::Company company;
  company.kvk_number = Text(*document, "kvkNummer");
  if (company.kvk_number.empty()) {
    return absl::InvalidArgumentError("Basisprofiel answer has no kvkNummer");
  }
  company.name = Text(*document, "naam");
  company.statutory_name = Text(*document, "statutaireNaam");
  const json& registration = Member(*document, "materieleRegistratie");
  company.start_date = Text(registration, "datumAanvang");
  company.end_date = Text(registration, "datumEinde");

  // Trade names in their registered order ("volgorde").
  std::vector<std::pair<int, std::string>> trade_names;
  const json& handelsnamen = Member(*document, "handelsnamen");
  if (handelsnamen.is_array()) {
    for (const json& entry : handelsnamen) {
      const std::string name = entry.is_string() ? entry.get<std::string>() : Text(entry, "naam");
      if (!name.empty()) {
        trade_names.emplace_back(Integer(entry, "volgorde").value_or(0), name);
      }
    }
  }
  std::stable_sort(trade_names.begin(), trade_names.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, name] : trade_names) {
    company.trade_names.push_back(std::move(name));
  }

  const json& embedded = Member(*document, "_embedded");
  const json& main_establishment = Member(embedded, "hoofdvestiging");
  const json& owner = Member(embedded, "eigenaar");
  company.legal_form = Text(owner, "rechtsvorm");
  const std::string first_trade_name = Text(main_establishment, "eersteHandelsnaam");
  if (!first_trade_name.empty() && std::find(company.trade_names.begin(), company.trade_names.end(),
                                             first_trade_name) == company.trade_names.end()) {
    company.trade_names.push_back(first_trade_name);
  }
  // Legal entities without a commercial establishment (a foundation, say)
  // have their addresses on the owner instead.
  const json* addresses = &Member(main_establishment, "adressen");
  if (!addresses->is_array() || addresses->empty()) {
    addresses = &Member(owner, "adressen");
  }
  if (addresses->is_array()) {
    for (const json& address : *addresses) {
      company.addresses.push_back(ParseAddress(address));
    }
  }
  return company;
}

std::vector<KvkError> ParseFout(absl::string_view body) {
  std::vector<KvkError> errors;
  absl::StatusOr<json> document = Parse(body, "error body");
  if (!document.ok()) {
    return errors;
  }
  const json& fout = Member(*document, "fout");
  if (fout.is_array()) {
    for (const json& entry : fout) {
      errors.push_back({Text(entry, "code"), Text(entry, "omschrijving")});
    }
  }
  return errors;
}

}  // namespace sslpanel::prevalidation::clients
