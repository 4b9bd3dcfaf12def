#include "clients/kvk_client.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "clients/json_util.h"
#include "clients/kvk_json.h"

namespace sslpanel::prevalidation::clients {
namespace {

// "No data found for the search": Zoeken's answer for an unknown number.
constexpr absl::string_view kNoResults = "IPD5200";
// "No data found for this KvK number": Basisprofiel's.
constexpr absl::string_view kNoDataForNumber = "IPD0005";
// "Invalid KvK number".
constexpr absl::string_view kInvalidNumber = "IPD0004";

bool HasCode(const std::vector<KvkError>& errors, absl::string_view code) {
  for (const KvkError& error : errors) {
    if (error.code == code) {
      return true;
    }
  }
  return false;
}

std::string Describe(const std::vector<KvkError>& errors) {
  std::vector<std::string> parts;
  for (const KvkError& error : errors) {
    parts.push_back(absl::StrCat(error.code, " ", error.description));
  }
  return absl::StrJoin(parts, "; ");
}

// An answer that is not the data we asked for. Only a 404 that carries the
// API's own "not found" code means "not registered": a bare 404 is a wrong
// base URL or a proxy, and reporting that as "company not found" would fail
// a customer for our misconfiguration.
absl::Status UnexpectedAnswer(const http::Response& response, absl::string_view what) {
  const std::vector<KvkError> errors = ParseFout(response.body);
  const std::string detail = errors.empty() ? "" : absl::StrCat(" (", Describe(errors), ")");
  if (response.status == 400 && HasCode(errors, kInvalidNumber)) {
    return absl::InvalidArgumentError(
        absl::StrCat("organization.kvk_number: the KvK API refuses it", detail));
  }
  if (response.status == 401 || response.status == 403) {
    return absl::UnavailableError(absl::StrCat(what, ": HTTP ", response.status,
                                               ", the API key is missing or refused", detail));
  }
  if (response.status == 429) {
    return absl::UnavailableError(absl::StrCat(what, ": HTTP 429, quota exceeded", detail));
  }
  return absl::UnavailableError(absl::StrCat(what, ": unexpected HTTP ", response.status, detail));
}

}  // namespace

KvkApiClient::KvkApiClient(KvkClientOptions options, std::shared_ptr<http::Client> http)
    : options_(std::move(options)), http_(std::move(http)) {
  options_.base_url = std::string(absl::StripSuffix(options_.base_url, "/"));
  source_ = absl::StrCat("KvK API (", UrlHost(options_.base_url), ")");
}

absl::StatusOr<http::Response> KvkApiClient::Get(const std::string& path_and_query) {
  http::Request request;
  request.url = absl::StrCat(options_.base_url, path_and_query);
  request.headers.emplace_back("Accept", "application/json");
  if (!options_.api_key.empty()) {
    request.headers.emplace_back("apikey", options_.api_key);
  }
  request.timeout = options_.timeout;
  return http_->Do(request);
}

absl::StatusOr<KvkApiClient::SearchView> KvkApiClient::Search(const std::string& kvk_number) {
  SearchView view;
  int seen = 0;
  for (int page = 1; page <= kMaxSearchPages; ++page) {
    // Inactive registrations too, so a deregistered company is still listed.
    absl::StatusOr<http::Response> search = Get(
        absl::StrCat("/v2/zoeken?kvkNummer=", http::UrlEncode(kvk_number),
                     "&inclusiefInactieveRegistraties=true&resultatenPerPagina=", kSearchPageSize,
                     "&pagina=", page));
    if (!search.ok()) {
      return absl::UnavailableError(absl::StrCat("KvK Zoeken: ", search.status().message()));
    }
    if (search->status == 404 && HasCode(ParseFout(search->body), kNoResults)) {
      view.complete = true;
      view.summary = "Zoeken: no results (IPD5200)";
      return view;
    }
    if (search->status != 200) {
      return UnexpectedAnswer(*search, "KvK Zoeken");
    }
    absl::StatusOr<KvkSearchPage> parsed = ParseZoeken(search->body);
    if (!parsed.ok()) {
      return absl::UnavailableError(absl::StrCat("KvK Zoeken: ", parsed.status().message()));
    }
    seen += static_cast<int>(parsed->hits.size());
    for (const KvkSearchHit& hit : parsed->hits) {
      view.listed = view.listed || hit.kvk_number == kvk_number;
    }
    const int total = parsed->total.value_or(seen);
    if (view.listed) {
      view.complete = true;
      view.summary =
          absl::StrCat("Zoeken lists the number (", total, total == 1 ? " result)" : " results)");
      return view;
    }
    // Done when every result was read; a page without results before then
    // means the search contradicts its own count.
    if (seen >= total || parsed->hits.empty() ||
        (!parsed->total.has_value() &&
         parsed->hits.size() < static_cast<size_t>(kSearchPageSize))) {
      view.complete = seen >= total;
      view.summary =
          absl::StrCat("Zoeken does not list the number (read ", seen, " of ", total, " results)");
      return view;
    }
  }
  view.complete = false;
  view.summary = absl::StrCat("Zoeken does not list the number in its first ", seen, " results");
  return view;
}

absl::StatusOr<domain::CompanyLookup> KvkApiClient::FindCompany(const std::string& kvk_number) {
  // Zoeken is free but "may be incomplete or incorrect" (KvK: it reads
  // another source than the other APIs), so it never decides on its own:
  // Basisprofiel does, and Zoeken only tells an unknown number from a
  // disagreement between the two.
  absl::StatusOr<SearchView> search = Search(kvk_number);
  if (!search.ok()) {
    return search.status();
  }
  absl::StatusOr<http::Response> profile =
      Get(absl::StrCat("/v1/basisprofielen/", http::UrlEncode(kvk_number)));
  if (!profile.ok()) {
    return absl::UnavailableError(absl::StrCat("KvK Basisprofiel: ", profile.status().message()));
  }
  if (profile->status == 404 && HasCode(ParseFout(profile->body), kNoDataForNumber)) {
    domain::CompanyLookup lookup{std::nullopt, source_};
    lookup.detail =
        absl::StrCat(search->summary, "; Basisprofiel: no profile (", kNoDataForNumber, ")");
    // Only both saying "unknown" is a definite answer. Basisprofiel also
    // answers IPD0005 for a registration without a main establishment.
    lookup.undetermined = search->listed || !search->complete;
    return lookup;
  }
  if (profile->status != 200) {
    return UnexpectedAnswer(*profile, "KvK Basisprofiel");
  }
  absl::StatusOr<domain::Company> company = ParseBasisprofiel(profile->body);
  if (!company.ok()) {
    return absl::UnavailableError(absl::StrCat("KvK Basisprofiel: ", company.status().message()));
  }
  if (company->kvk_number != kvk_number) {
    return absl::UnavailableError(absl::StrCat("KvK Basisprofiel answered for ",
                                               company->kvk_number, " instead of ", kvk_number));
  }
  company->source = source_;
  return domain::CompanyLookup{*std::move(company), source_};
}

}  // namespace sslpanel::prevalidation::clients
