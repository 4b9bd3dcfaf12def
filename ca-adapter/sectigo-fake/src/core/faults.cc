#include "ca-adapter/sectigo-fake/src/core/faults.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace sslpanel::sectigo_fake {
namespace {

constexpr std::pair<FaultAction, const char*> kActions[] = {
    {FaultAction::kErrorCode, "error_code"},
    {FaultAction::kHttpStatus, "http_status"},
    {FaultAction::kMalformed, "malformed"},
    {FaultAction::kDelay, "delay"},
    {FaultAction::kDrop, "drop"}};

}  // namespace

absl::StatusOr<Fault> ParseFault(absl::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) {
    return absl::InvalidArgumentError("fault: not a JSON object");
  }
  Fault fault;
  try {
    fault.endpoint = json.value("endpoint", "*");
    const std::string action = json.value("action", "error_code");
    bool known = false;
    for (const auto& [value, name] : kActions) {
      if (action == name) {
        fault.action = value;
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("fault: unknown action ", action));
    }
    const std::string when = json.value("when", "before");
    if (when != "before" && when != "after") {
      return absl::InvalidArgumentError("fault: when must be before or after");
    }
    fault.after = when == "after";
    fault.code = json.value("code", fault.code);
    fault.http_status = json.value("status", fault.http_status);
    fault.body = json.value("body", fault.body);
    fault.delay_ms = json.value("delay_ms", 0);
    fault.count = json.value("count", 1);
    fault.skip = json.value("skip", 0);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("fault: ", e.what()));
  }
  if (fault.count < 0 || fault.skip < 0 || fault.delay_ms < 0) {
    return absl::InvalidArgumentError("fault: count, skip and delay_ms must be >= 0");
  }
  return fault;
}

std::string FaultJson(const Fault& fault) {
  std::string action;
  for (const auto& [value, name] : kActions) {
    if (fault.action == value) {
      action = name;
    }
  }
  return nlohmann::json{{"endpoint", fault.endpoint},
                        {"action", action},
                        {"when", fault.after ? "after" : "before"},
                        {"code", fault.code},
                        {"status", fault.http_status},
                        {"delay_ms", fault.delay_ms},
                        {"count", fault.count},
                        {"skip", fault.skip}}
      .dump();
}

std::optional<Fault> FaultList::Take(absl::string_view endpoint) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->endpoint != "*" && it->endpoint != endpoint) {
      continue;
    }
    if (it->skip > 0) {
      --it->skip;
      return std::nullopt;
    }
    Fault taken = *it;
    if (it->count > 0 && --it->count == 0) {
      faults_.erase(it);
    }
    return taken;
  }
  return std::nullopt;
}

}  // namespace sslpanel::sectigo_fake
