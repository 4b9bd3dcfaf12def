// Secrets (database password, API keys) come from a file or an environment
// variable, never from a command line, and are never logged.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::config {

// Reads a secret: the file's contents (one trailing newline stripped) when
// `file` is set, else the environment variable `env_var` when set, else "".
// `what` names the secret in errors, e.g. "--db_password_file".
absl::StatusOr<std::string> ReadSecret(absl::string_view what, absl::string_view file,
                                       absl::string_view env_var);

// Files named by flags (certificates, keys): INVALID_ARGUMENT naming the
// first flag whose file is set but cannot be read; unset files are skipped.
struct FlagFile {
  std::string flag;  // "--tls_cert_file"
  std::string path;
};
absl::Status CheckReadable(const std::vector<FlagFile>& files);

}  // namespace sslpanel::config
