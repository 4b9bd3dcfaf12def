#include "fake/rdap_fake.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sslpanel::prevalidation::fake {
namespace {

constexpr absl::string_view kRdapJson = "application/rdap+json";

http::Response RdapError(int status, absl::string_view title, absl::string_view description) {
  nlohmann::json body = {{"rdapConformance", {"rdap_level_0"}},
                         {"errorCode", status},
                         {"title", title},
                         {"description", {description}}};
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::string(kRdapJson));
  response.body = body.dump(2);
  return response;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RdapFake>> RdapFake::Load(const std::string& dir) {
  std::unique_ptr<RdapFake> fake(new RdapFake());
  const std::filesystem::path domains = std::filesystem::path(dir) / "domains";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(domains, error)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    if (nlohmann::json::parse(text.str(), nullptr, false).is_discarded()) {
      return absl::InvalidArgumentError(absl::StrCat(entry.path().string(), " is not valid JSON"));
    }
    fake->domains_[entry.path().stem().string()] = text.str();
  }
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("cannot list ", domains.string(), ": ", error.message()));
  }
  absl::StatusOr<std::map<std::string, Behaviour>> behaviours =
      LoadBehaviours((std::filesystem::path(dir) / "behaviours.json").string());
  if (!behaviours.ok()) {
    return behaviours.status();
  }
  fake->behaviours_ = *std::move(behaviours);
  return fake;
}

http::Response RdapFake::Handle(const http::ServerRequest& request) const {
  constexpr absl::string_view kDomain = "/domain/";
  if (request.method != "GET" && request.method != "HEAD") {
    return RdapError(405, "Method Not Allowed", "Only GET and HEAD are supported.");
  }
  if (!absl::StartsWith(request.path, kDomain)) {
    // What an RDAP server behind a wrong base path answers: an RDAP 404
    // that is about no domain in particular. A client must not read it as
    // "not registered".
    return RdapError(404, "Not Found", "No RDAP object at this path.");
  }
  // Names are case-insensitive; a trailing dot names the same domain.
  const std::string name = absl::AsciiStrToLower(
      absl::StripSuffix(http::UrlDecode(request.path.substr(kDomain.size())), "."));
  if (auto behaviour = behaviours_.find(name); behaviour != behaviours_.end()) {
    if (auto answer = Apply(behaviour->second, kRdapJson)) {
      return *answer;
    }
  }
  auto found = domains_.find(name);
  if (found == domains_.end()) {
    return RdapError(404, "Not Found", absl::StrCat("Domain ", name, " is not registered."));
  }
  http::Response response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", std::string(kRdapJson));
  response.body = found->second;
  return response;
}

}  // namespace sslpanel::prevalidation::fake
