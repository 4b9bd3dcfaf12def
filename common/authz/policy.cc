#include "common/authz/policy.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace sslpanel::authz {
namespace {

using Json = nlohmann::json;

constexpr absl::string_view kHealthService = "grpc.health.v1.Health";
constexpr absl::string_view kReflectionServices[] = {"grpc.reflection.v1alpha.ServerReflection",
                                                     "grpc.reflection.v1.ServerReflection"};

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

bool IsIdentifier(absl::string_view text, bool dots) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && !(dots && c == '.')) {
      return false;
    }
  }
  return true;
}

// "package.Service/Method" or "package.Service/*".
bool IsMethodEntry(absl::string_view entry) {
  const size_t slash = entry.find('/');
  if (slash == absl::string_view::npos || entry.find('/', slash + 1) != absl::string_view::npos) {
    return false;
  }
  const absl::string_view service = entry.substr(0, slash);
  const absl::string_view method = entry.substr(slash + 1);
  return IsIdentifier(service, true) && absl::StrContains(service, ".") &&
         (method == "*" || IsIdentifier(method, false));
}

absl::Status ParseRoles(const Json& roles, std::map<std::string, std::set<std::string>>* out) {
  if (!roles.is_object()) {
    return Malformed("\"roles\" must be an object of role name -> list of methods");
  }
  for (const auto& [role, methods] : roles.items()) {
    if (role.empty() || !methods.is_array()) {
      return Malformed(absl::StrCat("role \"", role, "\": must be a non-empty name with a list"));
    }
    std::set<std::string>& entries = (*out)[role];
    for (const Json& method : methods) {
      if (!method.is_string() || !IsMethodEntry(method.get<std::string>())) {
        return Malformed(absl::StrCat("role \"", role, "\": ", method.dump(),
                                      " is not \"package.Service/Method\" or "
                                      "\"package.Service/*\""));
      }
      entries.insert(method.get<std::string>());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Policy> Policy::Parse(absl::string_view text) {
  Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Malformed("not valid JSON");
  }
  if (!json.is_object() || !json.contains("identities") || !json.contains("roles")) {
    return Malformed("must be an object with \"identities\" and \"roles\"");
  }
  for (const auto& [key, value] : json.items()) {
    if (key != "identities" && key != "roles") {
      return Malformed(absl::StrCat("unknown field \"", key, "\""));
    }
  }
  Policy policy;
  if (absl::Status roles = ParseRoles(json["roles"], &policy.roles_); !roles.ok()) {
    return roles;
  }
  const Json& identities = json["identities"];
  if (!identities.is_array()) {
    return Malformed("\"identities\" must be a list");
  }
  for (const Json& rule : identities) {
    const bool exact = rule.is_object() && rule.contains("exact");
    const bool prefix = rule.is_object() && rule.contains("prefix");
    if (!rule.is_object() || exact == prefix || !rule.contains("role") || rule.size() != 2) {
      return Malformed(absl::StrCat("identity rule ", rule.dump(),
                                    ": needs \"role\" and one of \"exact\" or \"prefix\""));
    }
    const Json& match = rule[exact ? "exact" : "prefix"];
    const Json& role = rule["role"];
    if (!match.is_string() || match.get<std::string>().empty() || !role.is_string()) {
      return Malformed(absl::StrCat("identity rule ", rule.dump(), ": values must be text"));
    }
    // "spiffe://sslpanel.local/ops" would also match ".../opsx", an
    // identity nobody meant to make an operator.
    if (prefix && !absl::EndsWith(match.get<std::string>(), "/")) {
      return Malformed(absl::StrCat("identity rule ", rule.dump(), ": a prefix must end in '/'"));
    }
    if (policy.roles_.count(role.get<std::string>()) == 0) {
      return Malformed(absl::StrCat("identity rule ", rule.dump(), ": role \"",
                                    role.get<std::string>(), "\" is not defined in \"roles\""));
    }
    for (const IdentityRule& seen : policy.identities_) {
      if (seen.prefix == prefix && seen.match == match.get<std::string>()) {
        return Malformed(absl::StrCat("identity \"", seen.match, "\" is listed twice"));
      }
    }
    policy.identities_.push_back({match.get<std::string>(), prefix, role.get<std::string>()});
  }
  return policy;
}

absl::StatusOr<Policy> Policy::LoadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " names a file that cannot be read: ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto policy = Parse(text.str());
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": malformed policy: ", policy.status().message()));
  }
  return policy;
}

std::optional<std::string> Policy::RoleOf(absl::string_view identity) const {
  const IdentityRule* best = nullptr;
  for (const IdentityRule& rule : identities_) {
    if (!rule.prefix && rule.match == identity) {
      return rule.role;
    }
    if (rule.prefix && absl::StartsWith(identity, rule.match) &&
        (best == nullptr || rule.match.size() > best->match.size())) {
      best = &rule;
    }
  }
  if (best == nullptr) {
    return std::nullopt;
  }
  return best->role;
}

bool Policy::Allows(absl::string_view role, absl::string_view method) const {
  auto it = roles_.find(std::string(role));
  if (it == roles_.end()) {
    return false;
  }
  return it->second.count(std::string(method)) > 0 ||
         it->second.count(absl::StrCat(ServiceOf(method), "/*")) > 0;
}

std::vector<std::string> Policy::UnknownEntries(const std::vector<std::string>& methods) const {
  std::set<std::string> unknown;
  for (const auto& [role, entries] : roles_) {
    for (const std::string& entry : entries) {
      const bool wildcard = absl::EndsWith(entry, "/*");
      const bool known = std::any_of(methods.begin(), methods.end(), [&](const std::string& m) {
        return wildcard ? ServiceOf(m) == ServiceOf(entry) : m == entry;
      });
      if (!known) {
        unknown.insert(entry);
      }
    }
  }
  return {unknown.begin(), unknown.end()};
}

std::vector<std::string> Policy::Unnamed(const std::vector<std::string>& methods) const {
  std::vector<std::string> unnamed;
  for (const std::string& method : methods) {
    const bool named = std::any_of(roles_.begin(), roles_.end(),
                                   [&](const auto& role) { return Allows(role.first, method); });
    if (!named) {
      unnamed.push_back(method);
    }
  }
  return unnamed;
}

std::string MethodOfPath(absl::string_view path) {
  if (absl::StartsWith(path, "/")) {
    path.remove_prefix(1);
  }
  return std::string(path);
}

std::string ServiceOf(absl::string_view method) {
  const size_t slash = method.rfind('/');
  return std::string(slash == absl::string_view::npos ? "" : method.substr(0, slash));
}

std::string ShortName(absl::string_view method) {
  const size_t slash = method.rfind('/');
  return std::string(slash == absl::string_view::npos ? method : method.substr(slash + 1));
}

Decision Decide(const Policy* policy, const CallFacts& call) {
  const std::string service = ServiceOf(call.method);
  if (service == kHealthService) {
    return {Verdict::kAdmit, "", ""};
  }
  if (!call.has_certificate) {
    return {Verdict::kUnauthenticated, "",
            "no client certificate: this server admits callers by a client certificate of its "
            "CA (mutual TLS)"};
  }
  if (call.identity.empty()) {
    return {Verdict::kUnauthenticated, "",
            "the client certificate names no identity (a spiffe:// URI SAN or a DNS SAN)"};
  }
  std::optional<std::string> role =
      policy != nullptr ? policy->RoleOf(call.identity) : std::nullopt;
  const bool reflection = std::find(std::begin(kReflectionServices), std::end(kReflectionServices),
                                    service) != std::end(kReflectionServices);
  if (policy == nullptr || reflection) {
    return {Verdict::kAdmit, role.value_or(""), ""};
  }
  if (!role.has_value()) {
    return {Verdict::kPermissionDenied, "",
            absl::StrCat("caller ", call.identity, " is not listed in this server's policy")};
  }
  if (!policy->Allows(*role, call.method)) {
    return {
        Verdict::kPermissionDenied, *role,
        absl::StrCat("caller ", call.identity, " (role ", *role, ") may not call ", call.method)};
  }
  return {Verdict::kAdmit, *role, ""};
}

}  // namespace sslpanel::authz
