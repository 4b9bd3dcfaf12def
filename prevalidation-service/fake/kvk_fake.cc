#include "fake/kvk_fake.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sslpanel::prevalidation::fake {
namespace {

using nlohmann::json;

absl::StatusOr<json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  json document = json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not valid JSON"));
  }
  return document;
}

http::Response Json(int status, const json& body) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body.dump(2);
  return response;
}

http::Response Fout(int status, absl::string_view code, absl::string_view description) {
  return Json(status, {{"fout", json::array({{{"code", code}, {"omschrijving", description}}})}});
}

bool IsKvkNumber(absl::string_view text) {
  if (text.size() != 8) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

std::string Str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

absl::StatusOr<std::map<std::string, Behaviour>> LoadBehaviours(const std::string& path) {
  std::map<std::string, Behaviour> behaviours;
  if (!std::filesystem::exists(path)) {
    return behaviours;
  }
  absl::StatusOr<json> document = ReadJson(path);
  if (!document.ok()) {
    return document.status();
  }
  for (const auto& [key, value] : document->items()) {
    if (absl::StartsWith(key, "_") || !value.is_object()) {
      continue;
    }
    Behaviour behaviour;
    behaviour.delay_ms = value.value("delay_ms", 0);
    behaviour.status = value.value("status", 0);
    behaviour.body = value.value("body", json());
    behaviour.endpoint = value.value("endpoint", "");
    behaviours[key] = behaviour;
  }
  return behaviours;
}

std::optional<http::Response> Apply(const Behaviour& behaviour, absl::string_view content_type) {
  if (behaviour.delay_ms > 0) {
    absl::SleepFor(absl::Milliseconds(behaviour.delay_ms));
  }
  if (behaviour.status == 0) {
    return std::nullopt;
  }
  http::Response response;
  response.status = behaviour.status;
  response.headers.emplace_back("Content-Type", std::string(content_type));
  response.body = behaviour.body.is_null() ? "" : behaviour.body.dump(2);
  return response;
}

absl::StatusOr<std::unique_ptr<KvkFake>> KvkFake::Load(const std::string& dir,
                                                       std::string api_key) {
  std::unique_ptr<KvkFake> fake(new KvkFake());
  fake->api_key_ = std::move(api_key);
  const std::filesystem::path profiles = std::filesystem::path(dir) / "basisprofielen";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(profiles, error)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    absl::StatusOr<json> profile = ReadJson(entry.path().string());
    if (!profile.ok()) {
      return profile.status();
    }
    const std::string number = entry.path().stem().string();
    if (Str(*profile, "kvkNummer") != number) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.path().string(), ": kvkNummer does not match the file name"));
    }
    fake->profiles_[number] = *std::move(profile);
  }
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("cannot list ", profiles.string(), ": ", error.message()));
  }
  // Branches are optional: most seeds have none.
  const std::filesystem::path branches = std::filesystem::path(dir) / "vestigingen";
  if (std::filesystem::exists(branches)) {
    for (const auto& entry : std::filesystem::directory_iterator(branches, error)) {
      if (entry.path().extension() != ".json") {
        continue;
      }
      absl::StatusOr<json> listed = ReadJson(entry.path().string());
      if (!listed.ok()) {
        return listed.status();
      }
      const std::string number = entry.path().stem().string();
      if (!fake->profiles_.contains(number) ||
          !listed->value("nevenvestigingen", json()).is_array()) {
        return absl::InvalidArgumentError(absl::StrCat(entry.path().string(),
                                                       ": needs basisprofielen/", number,
                                                       ".json and a \"nevenvestigingen\" array"));
      }
      fake->branches_[number] = (*listed)["nevenvestigingen"];
    }
  }
  absl::StatusOr<std::map<std::string, Behaviour>> behaviours =
      LoadBehaviours((std::filesystem::path(dir) / "behaviours.json").string());
  if (!behaviours.ok()) {
    return behaviours.status();
  }
  fake->behaviours_ = *std::move(behaviours);
  return fake;
}

const Behaviour* KvkFake::FindBehaviour(const std::string& kvk_number,
                                        absl::string_view endpoint) const {
  auto found = behaviours_.find(kvk_number);
  if (found == behaviours_.end() ||
      (!found->second.endpoint.empty() && found->second.endpoint != endpoint)) {
    return nullptr;
  }
  return &found->second;
}

http::Response KvkFake::Handle(const http::ServerRequest& request) const {
  if (!api_key_.empty() && request.Header("apikey") != api_key_) {
    return Json(401, {{"fout", json::array({{{"omschrijving", "Geen geldige API key."}}})}});
  }
  if (request.method != "GET") {
    return Fout(405, "IPD1999", "Alleen GET wordt ondersteund.");
  }
  if (request.path == "/api/v2/zoeken") {
    return Zoeken(request);
  }
  constexpr absl::string_view kProfiles = "/api/v1/basisprofielen/";
  if (absl::StartsWith(request.path, kProfiles)) {
    return Basisprofiel(request.path.substr(kProfiles.size()));
  }
  // Not a KvK error body on purpose: a client pointed at a wrong path must
  // not mistake this for "company not found".
  http::Response response;
  response.status = 404;
  response.headers.emplace_back("Content-Type", "text/plain");
  response.body = "no such endpoint on the fake KvK API\n";
  return response;
}

http::Response KvkFake::Zoeken(const http::ServerRequest& request) const {
  const std::string number = request.QueryParam("kvkNummer");
  if (number.empty()) {
    return Fout(400, "IPD1999", "Deze fake ondersteunt alleen zoeken op kvkNummer.");
  }
  if (!IsKvkNumber(number)) {
    return Fout(400, "IPD0004", "Het KVK-nummer is niet valide.");
  }
  // Paging as documented: pagina from 1, resultatenPerPagina 1..100 (10 by
  // default).
  int page = 1;
  int per_page = 10;
  if (const std::string text = request.QueryParam("pagina"); !text.empty()) {
    if (!absl::SimpleAtoi(text, &page) || page < 1 || page > 1000) {
      return Fout(400, "IPD1999", "Ongeldige waarde voor pagina.");
    }
  }
  if (const std::string text = request.QueryParam("resultatenPerPagina"); !text.empty()) {
    if (!absl::SimpleAtoi(text, &per_page) || per_page < 1 || per_page > 100) {
      return Fout(400, "IPD1999", "Ongeldige waarde voor resultatenPerPagina.");
    }
  }
  if (const Behaviour* behaviour = FindBehaviour(number, "zoeken"); behaviour != nullptr) {
    if (auto answer = Apply(*behaviour, "application/json")) {
      return *answer;
    }
  }
  auto found = profiles_.find(number);
  const bool include_inactive = request.QueryParam("inclusiefInactieveRegistraties") == "true";
  if (found == profiles_.end()) {
    return Fout(404, "IPD5200",
                "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.");
  }
  const json& profile = found->second;
  const bool active =
      Str(profile.value("materieleRegistratie", json::object()), "datumEinde").empty();
  json results = json::array();
  // A company's branches come first, closed ones included: KvK does not
  // document its order, and this is the one that hides the company's own
  // registrations from a client that reads only the first page.
  if (auto branches = branches_.find(number); branches != branches_.end()) {
    for (const json& branch : branches->second) {
      const bool branch_active = Str(branch, "actief") != "Nee";
      if (!branch_active && !include_inactive) {
        continue;
      }
      json hit = branch;
      hit["kvkNummer"] = number;
      hit["type"] = "nevenvestiging";
      hit["actief"] = branch_active ? "Ja" : "Nee";
      results.push_back(hit);
    }
  }
  if (active || include_inactive) {
    const std::string links_base = "/api/v1";
    if (!Str(profile, "statutaireNaam").empty()) {
      results.push_back(
          {{"kvkNummer", number},
           {"naam", Str(profile, "statutaireNaam")},
           {"type", "rechtspersoon"},
           {"actief", active ? "Ja" : "Nee"},
           {"_links", {{"basisprofiel", {{"href", links_base + "/basisprofielen/" + number}}}}}});
    }
    const json main_establishment =
        profile.value("_embedded", json::object()).value("hoofdvestiging", json::object());
    if (!main_establishment.empty()) {
      json hit = {{"kvkNummer", number},
                  {"vestigingsnummer", Str(main_establishment, "vestigingsnummer")},
                  {"naam", Str(profile, "naam")},
                  {"type", "hoofdvestiging"},
                  {"actief", active ? "Ja" : "Nee"}};
      for (const json& address : main_establishment.value("adressen", json::array())) {
        if (Str(address, "type") == "bezoekadres" && Str(address, "indAfgeschermd") != "Ja") {
          hit["adres"] = {{"binnenlandsAdres",
                           {{"type", "bezoekadres"},
                            {"straatnaam", Str(address, "straatnaam")},
                            {"plaats", Str(address, "plaats")}}}};
        }
      }
      results.push_back(hit);
    }
  }
  if (results.empty()) {
    return Fout(404, "IPD5200",
                "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.");
  }
  const size_t total = results.size();
  const size_t first = std::min(total, static_cast<size_t>(page - 1) * per_page);
  const size_t last = std::min(total, first + per_page);
  json page_results = json::array();
  for (size_t i = first; i < last; ++i) {
    page_results.push_back(results[i]);
  }
  return Json(200, {{"pagina", page},
                    {"resultatenPerPagina", per_page},
                    {"totaal", total},
                    {"resultaten", page_results},
                    {"_links", {{"self", {{"href", "/api/v2/zoeken?kvkNummer=" + number}}}}}});
}

http::Response KvkFake::Basisprofiel(const std::string& kvk_number) const {
  if (!IsKvkNumber(kvk_number)) {
    return Fout(400, "IPD0004", "Het KVK-nummer is niet valide.");
  }
  if (const Behaviour* behaviour = FindBehaviour(kvk_number, "basisprofiel");
      behaviour != nullptr) {
    if (auto answer = Apply(*behaviour, "application/json")) {
      return *answer;
    }
  }
  auto found = profiles_.find(kvk_number);
  if (found == profiles_.end()) {
    return Fout(404, "IPD0005", "Het KVK-nummer is niet gevonden.");
  }
  return Json(200, found->second);
}

}  // namespace sslpanel::prevalidation::fake
