// A stand-in for the KvK API (Zoeken v2, Basisprofiel v1) that serves the
// documented JSON formats from checked-in Basisprofiel files: one
// testdata/kvk/basisprofielen/<kvkNummer>.json per company. Zoeken results
// are derived from the same files so both endpoints always agree.
// testdata/kvk/vestigingen/<kvkNummer>.json adds a company's branches
// (nevenvestigingen) to its Zoeken results, and Zoeken pages them
// (pagina, resultatenPerPagina) as the API does. testdata/kvk/behaviours.json
// names numbers that answer with an error or late, to drive failure paths.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/http/http.h"

namespace sslpanel::prevalidation::fake {

// How the fake misbehaves for one key: wait `delay_ms`, then answer
// `status` with `body` (when status is not 0). `endpoint`, when set
// ("zoeken" or "basisprofiel"), limits it to that KvK endpoint, so the two
// can disagree the way a lagging search index does.
struct Behaviour {
  int delay_ms = 0;
  int status = 0;
  nlohmann::json body;
  std::string endpoint;
};

// Reads a behaviours file ({"<key>": {"delay_ms", "status", "body",
// "endpoint"}}); keys starting with "_" are comments. A missing file means no
// behaviours.
absl::StatusOr<std::map<std::string, Behaviour>> LoadBehaviours(const std::string& path);

// Applies `behaviour`: sleeps, then returns its answer if it has one.
std::optional<http::Response> Apply(const Behaviour& behaviour, absl::string_view content_type);

class KvkFake {
 public:
  // Loads `dir`/basisprofielen/*.json and `dir`/behaviours.json.
  // `api_key`, when not empty, must arrive in the "apikey" header.
  static absl::StatusOr<std::unique_ptr<KvkFake>> Load(const std::string& dir, std::string api_key);

  // Serves /api/v2/zoeken and /api/v1/basisprofielen/{kvkNummer}.
  http::Response Handle(const http::ServerRequest& request) const;

  size_t companies() const { return profiles_.size(); }

 private:
  KvkFake() = default;
  http::Response Zoeken(const http::ServerRequest& request) const;
  http::Response Basisprofiel(const std::string& kvk_number) const;
  // The behaviour for `kvk_number` on `endpoint`, if any.
  const Behaviour* FindBehaviour(const std::string& kvk_number, absl::string_view endpoint) const;

  std::map<std::string, nlohmann::json> profiles_;
  // kvkNummer -> extra Zoeken results (branches), from vestigingen/.
  std::map<std::string, nlohmann::json> branches_;
  std::map<std::string, Behaviour> behaviours_;
  std::string api_key_;
};

}  // namespace sslpanel::prevalidation::fake
