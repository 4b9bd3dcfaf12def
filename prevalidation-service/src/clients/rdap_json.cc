#include "clients/rdap_json.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/json_util.h"

namespace sslpanel::prevalidation::clients {
namespace {

using nlohmann::json;

bool HasRole(const json& entity, absl::string_view role) {
  const json& roles = Member(entity, "roles");
  if (!roles.is_array()) {
    return false;
  }
  for (const json& r : roles) {
    if (r.is_string() && absl::EqualsIgnoreCase(r.get<std::string>(), role)) {
      return true;
    }
  }
  return false;
}

// Registries nest entities two or three deep (a registrar and its abuse
// contact); the bound keeps a hostile answer, nested a million deep, from
// overflowing the stack.
constexpr int kMaxEntityDepth = 8;

const json* FindRegistrant(const json& holder, int depth = 0) {
  const json& entities = Member(holder, "entities");
  if (!entities.is_array() || depth >= kMaxEntityDepth) {
    return nullptr;
  }
  for (const json& entity : entities) {
    if (HasRole(entity, "registrant")) {
      return &entity;
    }
  }
  for (const json& entity : entities) {
    if (const json* nested = FindRegistrant(entity, depth + 1); nested != nullptr) {
      return nested;
    }
  }
  return nullptr;
}

// The text of jCard property `name`: ["fn", {}, "text", "Example B.V."];
// structured values (["org", {}, "text", ["Example", "Sales"]]) join with ", ".
std::string VcardText(const json& entity, absl::string_view name) {
  const json& vcard = Member(entity, "vcardArray");
  if (!vcard.is_array() || vcard.size() < 2 || !vcard[1].is_array()) {
    return "";
  }
  for (const json& property : vcard[1]) {
    if (!property.is_array() || property.size() < 4 || !property[0].is_string() ||
        !absl::EqualsIgnoreCase(property[0].get<std::string>(), name)) {
      continue;
    }
    const json& value = property[3];
    if (value.is_string()) {
      return std::string(absl::StripAsciiWhitespace(value.get<std::string>()));
    }
    if (value.is_array()) {
      std::vector<std::string> parts;
      for (const json& part : value) {
        if (part.is_string() && !part.get<std::string>().empty()) {
          parts.push_back(part.get<std::string>());
        }
      }
      return absl::StrJoin(parts, ", ");
    }
  }
  return "";
}

bool IsPublished(absl::string_view value) {
  const std::string lower = absl::AsciiStrToLower(value);
  return !lower.empty() && !absl::StrContains(lower, "redacted") &&
         !absl::StrContains(lower, "not disclosed") && !absl::StrContains(lower, "withheld");
}

}  // namespace

absl::StatusOr<domain::DomainRegistration> ParseRdapDomain(absl::string_view body,
                                                           absl::string_view domain) {
  json document = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return absl::InvalidArgumentError("RDAP answer is not a JSON object");
  }
  if (Text(document, "objectClassName") != "domain") {
    return absl::InvalidArgumentError(
        absl::StrCat("RDAP answer is not a domain object (objectClassName \"",
                     Text(document, "objectClassName"), "\")"));
  }
  domain::DomainRegistration registration;
  registration.domain = std::string(domain);
  registration.exists = true;
  const json& statuses = Member(document, "status");
  if (statuses.is_array()) {
    for (const json& status : statuses) {
      if (status.is_string()) {
        registration.statuses.push_back(status.get<std::string>());
      }
    }
  }
  const json& events = Member(document, "events");
  if (events.is_array()) {
    for (const json& event : events) {
      if (Text(event, "eventAction") == "registration") {
        registration.registered_at = Text(event, "eventDate");
      }
    }
  }
  if (const json* registrant = FindRegistrant(document); registrant != nullptr) {
    for (absl::string_view property : {"org", "fn"}) {
      const std::string value = VcardText(*registrant, property);
      if (IsPublished(value)) {
        registration.registrant_name = value;
        break;
      }
    }
  }
  return registration;
}

}  // namespace sslpanel::prevalidation::clients
