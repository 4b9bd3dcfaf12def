#include "clients/json_util.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace sslpanel::prevalidation::clients {

const nlohmann::json& Member(const nlohmann::json& object, absl::string_view key) {
  static const nlohmann::json* null_value = new nlohmann::json();
  if (!object.is_object()) {
    return *null_value;
  }
  auto it = object.find(std::string(key));
  if (it == object.end() || !(it->is_object() || it->is_array())) {
    return *null_value;
  }
  return *it;
}

std::string Text(const nlohmann::json& object, absl::string_view key) {
  if (!object.is_object()) {
    return "";
  }
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return "";
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  if (it->is_number_integer()) {
    return std::to_string(it->get<long long>());
  }
  return "";
}

std::optional<int> Integer(const nlohmann::json& object, absl::string_view key) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return std::nullopt;
  }
  if (it->is_number_integer()) {
    return it->get<int>();
  }
  int value = 0;
  if (it->is_string() && absl::SimpleAtoi(it->get<std::string>(), &value)) {
    return value;
  }
  return std::nullopt;
}

std::optional<bool> Indication(const nlohmann::json& object, absl::string_view key) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return std::nullopt;
  }
  if (it->is_boolean()) {
    return it->get<bool>();
  }
  if (it->is_string()) {
    const std::string value = absl::AsciiStrToLower(it->get<std::string>());
    if (value == "ja" || value == "yes" || value == "true") {
      return true;
    }
    if (value == "nee" || value == "no" || value == "false") {
      return false;
    }
  }
  return std::nullopt;
}

std::string UrlHost(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme != absl::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  return std::string(url.substr(0, url.find('/')));
}

}  // namespace sslpanel::prevalidation::clients
