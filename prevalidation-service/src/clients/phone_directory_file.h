// The first telephone source: a JSON file of listed numbers, loaded once at
// start-up, e.g.
//   {"source": "Test telephone directory",
//    "entries": [{"number": "+31 58 123 4567", "name": "Test BV Donald"}]}
// Numbers may be written any way NormalizePhone reads; they are keyed E.164.
#pragma once

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "app/ports.h"

namespace sslpanel::prevalidation::clients {

class FilePhoneDirectory final : public app::PhoneDirectory {
 public:
  // INVALID_ARGUMENT naming the file (and entry) when it cannot be used.
  static absl::StatusOr<std::unique_ptr<FilePhoneDirectory>> Load(const std::string& path);

  absl::StatusOr<domain::PhoneLookup> FindNumber(const std::string& number) override;

  size_t size() const { return listings_.size(); }
  const std::string& source() const { return source_; }

 private:
  FilePhoneDirectory(std::string source, absl::flat_hash_map<std::string, std::string> listings)
      : source_(std::move(source)), listings_(std::move(listings)) {}

  const std::string source_;
  // E.164 number -> listed name; read-only after Load, so safe to share.
  const absl::flat_hash_map<std::string, std::string> listings_;
};

}  // namespace sslpanel::prevalidation::clients
