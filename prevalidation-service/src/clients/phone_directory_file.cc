#include "clients/phone_directory_file.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "clients/json_util.h"
#include "domain/phone.h"

namespace sslpanel::prevalidation::clients {

absl::StatusOr<std::unique_ptr<FilePhoneDirectory>> FilePhoneDirectory::Load(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("phone directory ", path, ": cannot read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json document = nlohmann::json::parse(text.str(), nullptr, false);
  const nlohmann::json& entries = Member(document, "entries");
  if (!entries.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("phone directory ", path, ": not a JSON object with an \"entries\" array"));
  }
  absl::flat_hash_map<std::string, std::string> listings;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string number = Text(entries[i], "number");
    const std::string name = Text(entries[i], "name");
    std::optional<std::string> e164 = domain::NormalizePhone(number);
    if (!e164.has_value() || name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("phone directory ", path, ": entries[", i,
                                                     "] needs a telephone number and a name"));
    }
    listings.insert_or_assign(*e164, name);
  }
  std::string source = Text(document, "source");
  source = source.empty() ? absl::StrCat("phone directory (", path, ")")
                          : absl::StrCat(source, " (", path, ")");
  return std::unique_ptr<FilePhoneDirectory>(
      new FilePhoneDirectory(std::move(source), std::move(listings)));
}

absl::StatusOr<domain::PhoneLookup> FilePhoneDirectory::FindNumber(const std::string& number) {
  domain::PhoneLookup lookup;
  lookup.source = source_;
  auto it = listings_.find(number);
  if (it != listings_.end()) {
    lookup.listing = domain::PhoneListing{it->first, it->second};
  }
  return lookup;
}

}  // namespace sslpanel::prevalidation::clients
