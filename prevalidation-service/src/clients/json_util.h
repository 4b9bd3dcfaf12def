// Lenient reads of JSON fields from registry answers: registries send
// numbers as strings and "Ja"/"Nee" where one might expect booleans, and
// leave fields out; a missing or oddly typed field reads as empty.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"

namespace sslpanel::prevalidation::clients {

// The member `key` of `object` as text ("" when absent or not text/number).
std::string Text(const nlohmann::json& object, absl::string_view key);

// The member `key` as an integer, from a JSON number or a numeric string.
std::optional<int> Integer(const nlohmann::json& object, absl::string_view key);

// The member `key` as a yes/no indication: "Ja"/"Nee" (any case), true/false.
std::optional<bool> Indication(const nlohmann::json& object, absl::string_view key);

// The member `key` if it is an object or array, else a null value.
const nlohmann::json& Member(const nlohmann::json& object, absl::string_view key);

// "host:port" of a URL ("https://api.kvk.nl/api" -> "api.kvk.nl"), for
// naming a source in reports without its path.
std::string UrlHost(absl::string_view url);

}  // namespace sslpanel::prevalidation::clients
