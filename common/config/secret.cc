#include "common/config/secret.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace sslpanel::config {

absl::StatusOr<std::string> ReadSecret(absl::string_view what, absl::string_view file,
                                       absl::string_view env_var) {
  if (!file.empty()) {
    std::ifstream in{std::string(file)};
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": cannot read \"", file, "\""));
    }
    std::stringstream contents;
    contents << in.rdbuf();
    std::string secret = contents.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
      secret.pop_back();
    }
    return secret;
  }
  if (!env_var.empty()) {
    if (const char* value = std::getenv(std::string(env_var).c_str()); value != nullptr) {
      return std::string(value);
    }
  }
  return std::string();
}

absl::Status CheckReadable(const std::vector<FlagFile>& files) {
  for (const FlagFile& file : files) {
    if (!file.path.empty() && ::access(file.path.c_str(), R_OK) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.flag, " names a file that cannot be read: ", file.path));
    }
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::config
