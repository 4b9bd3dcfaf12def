// Injected faults (the /fake/faults admin endpoint): which call they hit,
// whether the call acts first, and what the answer becomes. Each matching
// call takes one fault at its start, so counts are exact. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::sectigo_fake {

enum class FaultAction { kErrorCode, kHttpStatus, kMalformed, kDelay, kDrop };

struct Fault {
  std::string endpoint = "*";  // API name or "*"
  FaultAction action = FaultAction::kErrorCode;
  bool after = false;  // act first, then shape the answer
  int code = -14;
  int http_status = 500;
  std::string body = "<html><body>garbled\x01\x02 answer";
  int delay_ms = 0;
  int count = 1;  // 0 = until cleared
  int skip = 0;
};

// From the admin JSON ({"endpoint", "action", "when", "code", "status", "body",
// "delay_ms", "count", "skip"}); INVALID_ARGUMENT naming the bad key.
absl::StatusOr<Fault> ParseFault(absl::string_view json);
std::string FaultJson(const Fault& fault);

class FaultList {
 public:
  void Add(Fault fault) { faults_.push_back(std::move(fault)); }
  void Clear() { faults_.clear(); }
  const std::vector<Fault>& faults() const { return faults_; }
  // The fault the call to `endpoint` gets (first match wins), consuming one
  // count; skips are consumed first.
  std::optional<Fault> Take(absl::string_view endpoint);

 private:
  std::vector<Fault> faults_;
};

}  // namespace sslpanel::sectigo_fake
